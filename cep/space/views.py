"""The beneficiary space: the person's own pages. Every page reads through their account only,
inside their operator's scope; anything else answers 404."""

import io
import json
import zipfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View

from cep.audit import client_ip
from cep.continuity import services as continuity_services
from cep.continuity.models import Transfer
from cep.forms import add_service_errors
from cep.models import Consent
from cep.person_data import person_records, readable_data
from cep.registries import json_value, space_sections
from cep.space import services
from cep.space.forms import RequestForm, SetPasswordForm


class BeneficiarySpaceMixin(View):
    """Only a person logged in with their own account; the session ends after
    `BENEFICIARY_SESSION_IDLE_SECONDS` without activity."""

    def dispatch(self, request, *args, **kwargs):
        if request.beneficiary_account is None:
            raise Http404
        request.session.set_expiry(settings.BENEFICIARY_SESSION_IDLE_SECONDS)
        self.account = request.beneficiary_account
        return super().dispatch(request, *args, **kwargs)


class SpaceHomeView(BeneficiarySpaceMixin):
    def get(self, request):
        # Each app's block, rendered with its own context (safe: Django templates escape).
        blocks = [
            render_to_string(section.template, section.context(self.account), request)
            for section in space_sections()
        ]
        context = {
            "title": "Mon espace",
            "beneficiary": self.account.beneficiary,
            "blocks": blocks,
        }
        return render(request, "space/home.html", context)


@method_decorator(login_not_required, name="dispatch")
class AcceptInvitationView(View):
    """The link of the invitation e-mail: the person chooses their password, once."""

    def problem(self, request, error: ValidationError):
        message = " ".join(error.message_dict.get("token", error.messages))
        status = 404 if message == services.INVITATION_UNKNOWN else 410
        return render(
            request,
            "space/invitation_problem.html",
            {"title": "Invitation", "message": message},
            status=status,
        )

    def get(self, request, token):
        try:
            invitation = services.usable_invitation(token)
        except ValidationError as error:
            return self.problem(request, error)
        return self.render(request, SetPasswordForm(), invitation.email)

    def post(self, request, token):
        try:
            invitation = services.usable_invitation(token)
        except ValidationError as error:
            return self.problem(request, error)
        form = SetPasswordForm(request.POST)
        if form.is_valid():
            try:
                user = services.accept_invitation(
                    token=token,
                    password=form.cleaned_data["new_password1"],
                    ip_address=client_ip(request),
                )
            except ValidationError as error:
                if "token" in error.message_dict:
                    return self.problem(request, error)
                add_service_errors(form, error)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, "Votre espace est prêt. Bienvenue !")
                return redirect("space:home")
        return self.render(request, form, invitation.email, status=400)

    def render(self, request, form, email, status=200):
        context = {"title": "Créer mon espace", "form": form, "email": email}
        return render(request, "space/invitation.html", context, status=status)


class ConsentsView(BeneficiarySpaceMixin):
    def get(self, request):
        beneficiary = self.account.beneficiary
        history = list(Consent.objects.filter(beneficiary=beneficiary).order_by("-given_at", "-pk"))
        purposes = [
            {
                "value": value,
                "label": label,
                "active": next(
                    (c for c in history if c.purpose == value and c.withdrawn_at is None), None
                ),
            }
            for value, label in Consent.Purpose.choices
        ]
        context = {"title": "Mes consentements", "purposes": purposes, "history": history}
        return render(request, "space/consents.html", context)

    def post(self, request):
        given = request.POST.get("action") == "donner"
        try:
            consent = services.set_consent_from_space(
                account=self.account,
                purpose=request.POST.get("purpose", ""),
                given=given,
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            when = timezone.localtime(consent.given_at if given else consent.withdrawn_at)
            messages.success(
                request,
                f"Reçu n° {consent.pk} : accord « {consent.get_purpose_display()} » "
                f"{'donné' if given else 'retiré'} le {when:%d/%m/%Y à %H:%M}.",
            )
        return redirect("space:consents")


class DataView(BeneficiarySpaceMixin):
    """My data and my rights: download everything, ask for rectification or erasure."""

    def get(self, request, forms_by_kind=None, status=200):
        forms_by_kind = forms_by_kind or {}
        context = {
            "title": "Mes données et mes droits",
            "rectification_form": forms_by_kind.get(
                "rectification", RequestForm(initial={"kind": "rectification"})
            ),
            "erasure_form": forms_by_kind.get(
                "effacement", RequestForm(initial={"kind": "effacement"})
            ),
        }
        return render(request, "space/data.html", context, status=status)

    def post(self, request):
        form = RequestForm(request.POST)
        kind = request.POST.get("kind", "")
        if kind not in ("rectification", "effacement"):
            raise Http404
        if form.is_valid():
            try:
                services.send_request_from_space(
                    account=self.account,
                    kind=kind,
                    message=form.cleaned_data["message"],
                    ip_address=client_ip(request),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Votre demande est envoyée à votre conseiller.")
                return redirect("space:home")
        return self.get(request, forms_by_kind={kind: form}, status=400)


class DataArchiveView(BeneficiarySpaceMixin):
    """All my data in one click: a ZIP with the JSON and a readable HTML page."""

    def get(self, request):
        beneficiary = self.account.beneficiary
        records = person_records(beneficiary)
        data = json_value(records)
        html = render_to_string(
            "space/data_export.html",
            {"data": readable_data(records), "beneficiary": beneficiary},
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("mes-donnees.json", json.dumps(data, ensure_ascii=False, indent=2))
            archive.writestr("mes-donnees.html", html)
        services.record_data_export(account=self.account, ip_address=client_ip(request))
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="mes-donnees.zip"'
        response["Cache-Control"] = "private, no-store"
        return response


class TransferAnswerView(BeneficiarySpaceMixin):
    """The person agrees to a proposed transfer (their consent, for the data named) or not."""

    def post(self, request, transfer_pk):
        agree = request.POST.get("reponse") == "accord"
        try:
            continuity_services.answer_transfer_from_space(
                account=self.account,
                transfer_id=transfer_pk,
                agree=agree,
                ip_address=client_ip(request),
            )
        except Transfer.DoesNotExist:
            raise Http404 from None
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                "Merci : votre dossier est transmis avec les données que vous avez acceptées."
                if agree
                else "C'est noté : votre dossier n'est pas transmis.",
            )
        return redirect("space:home")


class SpaceAccessLogView(BeneficiarySpaceMixin):
    """Who accessed my file: the person sees every reading, change, export and download of
    their records, by whom and when."""

    def get(self, request):
        from cep.selectors import access_log
        from cep.views import who_acted

        events = access_log(self.account.beneficiary)
        rows = [(event, who_acted(event, own_user_id=self.account.user_id)) for event in events]
        return render(
            request,
            "space/access_log.html",
            {"title": "Qui a consulté mon dossier", "rows": rows},
        )
