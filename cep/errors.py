"""The error surface: how a refusal of a service reaches the person, in one place for every view.

Services refuse bad input with Django's ``ValidationError`` (French messages, keyed by field
where a field is at fault) inside their transaction, so nothing is half-saved. This module turns
that refusal into:
- for the API, a field-level 400 (DRF's exception handler, ``REST_FRAMEWORK["EXCEPTION_HANDLER"]``);
- for a page, the French message shown on the page the person came from
  (``ServiceRefusalMiddleware``), instead of a server error.

Views that re-render a form with its errors still catch the refusal themselves, so what was
typed stays in the form; this is the net under every other view.
"""

from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from rest_framework import exceptions, serializers
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from cep.middleware import API_PATH

NOT_FOUND = "Introuvable : cet élément n'existe pas ou vous n'y avez pas accès."
FORBIDDEN = "Vous n'avez pas le droit de faire cette action."


def refusal_messages(error: DjangoValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def messages_by_field(error: DjangoValidationError) -> dict[str, list[str]]:
    """A refusal's messages by field, NON_FIELD_ERRORS for the rest: what a form and the API
    both show. A model constraint (always non-field) repeating a field's rule is said once, next
    to the field."""
    if not hasattr(error, "error_dict"):
        return {NON_FIELD_ERRORS: refusal_messages(error)}
    by_field = {
        field: [str(m) for m in messages_] for field, messages_ in error.message_dict.items()
    }
    said = {
        m for field, messages_ in by_field.items() if field != NON_FIELD_ERRORS for m in messages_
    }
    rest = [m for m in by_field.pop(NON_FIELD_ERRORS, []) if m not in said]
    return {**by_field, NON_FIELD_ERRORS: rest} if rest else by_field


def as_api_error(error: DjangoValidationError) -> serializers.ValidationError:
    """Field-keyed errors from a service become DRF's field-level 400 body; the rest are DRF's
    non-field errors (Django's key, "__all__", means nothing to a client)."""
    return serializers.ValidationError(
        {
            api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field: messages_
            for field, messages_ in messages_by_field(error).items()
        }
    )


def api_exception_handler(exc, context):
    """DRF's handler, with a service's refusal as a 400 and French messages that name no model
    (Django's ``Http404`` says "No ProjectVersion matches the given query.")."""
    if isinstance(exc, DjangoValidationError):
        exc = as_api_error(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(FORBIDDEN)
    return drf_exception_handler(exc, context)


def page_to_return_to(request) -> str:
    """The page the form was on (same site only), or the page itself."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.get_full_path()


class ServiceRefusalMiddleware:
    """A ``ValidationError`` that no view caught: on a page, its message, never a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DjangoValidationError) or request.path.startswith(API_PATH):
            return None
        if request.method == "POST":
            for message in refusal_messages(exception):
                messages.error(request, message)
            return HttpResponseRedirect(page_to_return_to(request))
        return render(
            request,
            "400.html",
            {"title": "Demande refusée", "refusals": refusal_messages(exception)},
            status=400,
        )
