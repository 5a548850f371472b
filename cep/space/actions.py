"""Small views shared by the apps' pages of the beneficiary space."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from cep.audit import client_ip
from cep.space import services


def agree_and_return(request, agree, **kwargs):
    """Run an agreement given by the person from their space; tell them what happened."""
    try:
        agree(account=request.beneficiary_account, ip_address=client_ip(request), **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Votre accord est enregistré. Votre conseiller en est informé.")
    return redirect("space:home")


def ask_changes_and_return(request, *, kind: str, parcours):
    try:
        services.send_request_from_space(
            account=request.beneficiary_account,
            kind=kind,
            message=request.POST.get("message", ""),
            parcours=parcours,
            ip_address=client_ip(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Votre demande de modifications est envoyée à votre conseiller.")
    return redirect("space:home")
