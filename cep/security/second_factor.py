"""Two-factor authentication (TOTP, django-otp): required for managers and admins, and for the
counsellors of an operator that asks it. The tenancy middleware sends an unverified session
here; an API token (an information system) is not concerned."""

from urllib.parse import quote

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from cep.security.forms import CodeForm

DEVICE_NAME = "Application d'authentification"


def next_url(request) -> str:
    wanted = request.GET.get("next") or request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return wanted
    return settings.LOGIN_REDIRECT_URL


class SecondFactorView(View):
    """The code of an already set up application; without one, its setting up."""

    def get(self, request):
        if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
            return redirect(f"/connexion/double-authentification/?next={quote(next_url(request))}")
        return self.page(CodeForm())

    def post(self, request):
        form = CodeForm(request.POST)
        if form.is_valid():
            device = match_token(request.user, form.cleaned_data["code"].strip())
            if device is not None:
                otp_login(request, device)
                return redirect(next_url(request))
            form.add_error(
                "code", "Ce code ne correspond pas : vérifiez l'heure de votre appareil."
            )
        return self.page(form)

    def page(self, form):
        return render(
            self.request,
            "registration/second_factor.html",
            {"title": "Double authentification", "form": form, "next": next_url(self.request)},
        )


class SecondFactorSetupView(View):
    """Set up an authenticator application: the key to enter, then a first code confirms it."""

    def device(self, request) -> TOTPDevice:
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
        return device or TOTPDevice.objects.create(
            user=request.user, name=DEVICE_NAME, confirmed=False
        )

    def get(self, request):
        if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
            return redirect(f"/connexion/code/?next={quote(next_url(request))}")
        return self.page(self.device(request), CodeForm())

    def post(self, request):
        device = self.device(request)
        form = CodeForm(request.POST)
        if form.is_valid():
            if device.verify_token(form.cleaned_data["code"].strip()):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                otp_login(request, device)
                return redirect(next_url(request))
            form.add_error("code", "Ce code ne correspond pas : vérifiez la clé saisie.")
        return self.page(device, form)

    def page(self, device: TOTPDevice, form):
        from base64 import b32encode

        key = b32encode(device.bin_key).decode()
        return render(
            self.request,
            "registration/second_factor_setup.html",
            {
                "title": "Mettre en place la double authentification",
                "form": form,
                "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
                "uri": device.config_url,
                "next": next_url(self.request),
            },
        )
