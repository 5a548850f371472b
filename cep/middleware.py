"""Resolves who acts for which operator, and runs the whole request inside that operator's scope."""

from urllib.parse import quote

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django_scopes import scope, scopes_disabled
from guardian.shortcuts import get_user_perms

from cep.audit import events_in_request, object_of_page, record_page_read, record_page_view
from cep.models import ApiToken, BeneficiaryAccount, Coordinator, CoordinatorToken, Membership
from cep.roles import ROLE_PERMISSIONS

SECOND_FACTOR_ROLES = (Membership.Role.MANAGER, Membership.Role.ADMIN)

ACTIVE_MEMBERSHIP_SESSION_KEY = "active_membership_id"
ADMIN_PATH = "/admin/"
API_PATH = "/api/"
# A coordination's token opens these routes only (indicateurs/api.py).
INDICATOR_API_PATH = "/api/v1/indicateurs/"


def api_token_key(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    keyword, _, key = header.partition(" ")
    if keyword.lower() in {"token", "bearer"} and key.strip():
        return key.strip()
    return None


def operator_permissions(user, membership: Membership) -> frozenset[str]:
    """Computed once per request; guardian reads the direct-FK permission tables. A platform
    superuser acting through a membership gets that role's rights, not guardian's blanket ones."""
    if not user.is_active:  # a deactivated account acts for nobody, even with an API token
        return frozenset()
    if user.is_superuser:
        return ROLE_PERMISSIONS[membership.role]
    # Roles are granted to users, never to groups (cep.services.grant_membership): one query on
    # the user's direct-FK permission table, not two.
    return frozenset(f"cep.{codename}" for codename in get_user_perms(user, membership.operator))


# Pages a session not yet verified by its second factor may open.
SECOND_FACTOR_PATHS = ("/connexion/code/", "/connexion/double-authentification/", "/deconnexion/")


def needs_second_factor(request, membership: Membership) -> bool:
    """Managers and admins read every file of their operator; counsellors too when their
    operator asks it. A session verified by its second factor (django-otp) passes."""
    if not settings.TWO_FACTOR_REQUIRED or request.path.startswith(SECOND_FACTOR_PATHS):
        return False
    required = membership.role in SECOND_FACTOR_ROLES or membership.operator.counsellors_use_2fa
    is_verified = getattr(request.user, "is_verified", None)
    return required and not (is_verified and is_verified())


def second_factor_response(request):
    if request.path.startswith(API_PATH):
        return JsonResponse(
            {"detail": "Double authentification requise : connectez-vous depuis le navigateur."},
            status=403,
        )
    return redirect(f"/connexion/code/?next={quote(request.get_full_path())}")


def choose_membership(memberships: list[Membership], wanted_id) -> Membership | None:
    for membership in memberships:
        if membership.pk == wanted_id:
            return membership
    return memberships[0] if memberships else None


class TenancyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.operator = None
        request.memberships = []
        request.operator_permissions = frozenset()
        request.api_token = None
        request.beneficiary_account = None
        request.coordinator = None
        request.coordinator_operator_ids = []

        if request.path.startswith(ADMIN_PATH):
            # The Django admin is for platform staff only and spans every operator on purpose;
            # for anybody else it does not exist.
            if not (request.user.is_authenticated and request.user.is_superuser):
                raise Http404
            with scopes_disabled():
                return self.get_response(request)

        if request.path.startswith(API_PATH) and (key := api_token_key(request)):
            token = ApiToken.for_authentication.active_by_key(key)
            if token is not None:
                request.user = token.membership.user
                request.api_token = token
                request.memberships = [token.membership]
                # A token is not a browser session: CSRF does not apply to it.
                request._dont_enforce_csrf_checks = True
                return self._run_as(request, token.membership)
            if request.path.startswith(INDICATOR_API_PATH):
                coordinator_token = CoordinatorToken.objects.active_by_key(key)
                if coordinator_token is not None:
                    request.user = coordinator_token.coordinator.user
                    request.api_token = coordinator_token
                    request._dont_enforce_csrf_checks = True
                    return self._run_as_coordinator(request, coordinator_token.coordinator)
            return self.get_response(request)

        if request.user.is_authenticated:
            request.memberships = Membership.for_login.of_user(request.user)
            wanted = request.session.get(ACTIVE_MEMBERSHIP_SESSION_KEY)
            membership = choose_membership(request.memberships, wanted)
            if membership is not None:
                return self._run_as(request, membership)
            account = BeneficiaryAccount.for_login.of_user(request.user)
            if account is not None:
                # The person's own space: their operator's scope, and no staff right at all.
                request.beneficiary_account = account
                with scope(operator=account.operator_id):
                    return self.get_response(request)
            coordinator = Coordinator.objects.filter(user=request.user, is_active=True).first()
            if coordinator is not None and request.user.is_active:
                return self._run_as_coordinator(request, coordinator)
        return self.get_response(request)

    def _run_as_coordinator(self, request, coordinator: Coordinator):
        """Indicators only: the scope is every operator of their region (or of the nation),
        and no page of a person's file lets a coordinator in (no membership)."""
        request.coordinator = coordinator
        request.coordinator_operator_ids = coordinator.operator_ids()
        with scope(operator=request.coordinator_operator_ids):
            return self.get_response(request)

    def _run_as(self, request, membership: Membership):
        request.membership = membership
        request.operator = membership.operator
        request.operator_permissions = operator_permissions(request.user, membership)
        if request.api_token is None and needs_second_factor(request, membership):
            return second_factor_response(request)
        written = []
        marker = events_in_request.set(written)
        try:
            with scope(operator=membership.operator_id):
                response = self.get_response(request)
                # A page that left no trace of its own gets its READ: of the record it names,
                # or of the page itself (a list shows people too).
                match = request.resolver_match
                if (
                    request.method == "GET"
                    and response.status_code == 200
                    and not written
                    and match
                ):
                    found = object_of_page(match)
                    if found is not None:
                        record_page_read(request, found)
                    else:
                        record_page_view(request, match)
        finally:
            events_in_request.reset(marker)
        return response
