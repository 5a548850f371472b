from django.urls import path

from cep.space import file_views as views

urlpatterns = [
    path(
        "beneficiaires/<int:beneficiary_pk>/invitation/",
        views.InviteBeneficiaryView.as_view(),
        name="beneficiary_invite",
    ),
    path(
        "beneficiaires/<int:beneficiary_pk>/demandes/<int:beneficiaryrequest_pk>/traitee/",
        views.HandleRequestView.as_view(),
        name="beneficiary_request_handled",
    ),
]
