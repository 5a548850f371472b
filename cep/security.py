"""Response headers that are not Django's own: the Content-Security-Policy.

No inline script and no inline style anywhere (styles live in static/css/cep.css, the API docs
load their start-up script from a URL), so the policy allows only the platform's own files.
"""

from django.conf import settings

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The admin keeps Django's own pages; everything else gets the strict policy.
        if not request.path.startswith("/admin/"):
            response.setdefault(
                "Content-Security-Policy", settings.CONTENT_SECURITY_POLICY or POLICY
            )
        response.setdefault("Referrer-Policy", "same-origin")
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
