"""Response headers that are not Django's own, and the end of idle sessions.

Content-Security-Policy: no inline script and no inline style anywhere (styles live in
static/css/cep.css, the API docs load their start-up script from a URL), so the policy allows
only the platform's own files.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from cep.middleware import API_PATH, api_token_key

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


class PrivateResponseMiddleware:
    """Nothing a signed-in person is shown is kept by a browser or a proxy: HTML, JSON, CSV,
    XLSX, PDF and ZIP alike (the back button on a shared computer, a cache on the way)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # request.user is the token's user once the tenancy middleware has read an API token.
        if request.user.is_authenticated or getattr(request, "api_token", None) is not None:
            patch_cache_control(response, private=True, no_store=True)
        return response


LAST_SEEN_SESSION_KEY = "last_seen"
# The session records activity at this granularity: one session write every few minutes of
# work, not one per page.
LAST_SEEN_STEP_SECONDS = 300


def mark_session_active(sender, request, user, **kwargs):
    """At login (signal `user_logged_in`): the idle clock starts."""
    request.session[LAST_SEEN_SESSION_KEY] = int(timezone.now().timestamp())


class IdleSessionMiddleware:
    """A browser session left idle for `SESSION_IDLE_SECONDS` ends: the next request logs out
    and asks to log in again. Here `request.user` is the session's (an API token is read
    later, by the tenancy middleware): a call with a token goes on without the stale session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(timezone.now().timestamp())
            last_seen = request.session.get(LAST_SEEN_SESSION_KEY)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_SECONDS:
                logout(request)
                if not (request.path.startswith(API_PATH) and api_token_key(request)):
                    return idle_session_response(request)
            elif last_seen is None or now - last_seen >= LAST_SEEN_STEP_SECONDS:
                request.session[LAST_SEEN_SESSION_KEY] = now
        return self.get_response(request)


def idle_session_response(request):
    minutes = settings.SESSION_IDLE_SECONDS // 60
    message = f"Votre session a pris fin après {minutes} minutes sans activité. Reconnectez-vous."
    if request.path.startswith(API_PATH):
        return JsonResponse({"detail": message}, status=401)
    messages.info(request, message)
    return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
