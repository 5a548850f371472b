from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication


class MembershipTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <key>`: the token was resolved by the tenancy middleware.

    Resolving it there keeps one place deciding which membership and which scope a request runs
    in, whether it comes from a browser session or an operator's information system.
    """

    keyword = "Token"

    def authenticate(self, request):
        token = getattr(request._request, "api_token", None)
        if token is None:
            return None
        return (request._request.user, token)

    def authenticate_header(self, request):
        return self.keyword


class MembershipTokenScheme(OpenApiAuthenticationExtension):
    target_class = "cep.api.auth.MembershipTokenAuthentication"
    name = "jeton"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "« Token <clé> » : un jeton appartient à une habilitation.",
        }
