"""The staff's side of the beneficiary space, on the person's file: invite, handle a request."""

from django.shortcuts import get_object_or_404

from cep.audit import client_ip
from cep.space import services
from cep.space.models import BeneficiaryRequest
from cep.views import BeneficiaryPostView


class InviteBeneficiaryView(BeneficiaryPostView):
    success = "L'invitation est envoyée : le lien vaut une fois, pendant quelques jours."

    def perform(self, request, beneficiary):
        services.invite_beneficiary(
            membership=request.membership, beneficiary=beneficiary, ip_address=client_ip(request)
        )


class HandleRequestView(BeneficiaryPostView):
    success = "La demande est notée comme traitée."

    def perform(self, request, beneficiary, beneficiaryrequest_pk):
        item = get_object_or_404(
            BeneficiaryRequest, pk=beneficiaryrequest_pk, beneficiary=beneficiary
        )
        services.handle_request(
            membership=request.membership, request=item, outcome=request.POST.get("outcome", "")
        )
