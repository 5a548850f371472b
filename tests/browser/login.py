"""Logging in through the login form, with the second factor when the role asks it: the code
is computed from the user's TOTP device, as their authenticator application would."""

from django.contrib.auth import get_user_model
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/connexion/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")
    if "/connexion/code/" in page.url or "/connexion/double-authentification/" in page.url:
        user = get_user_model().objects.get(username=username)
        device = TOTPDevice.objects.filter(user=user).order_by("-pk").first()
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        page.locator("input[name=code]").fill(f"{code:06d}")
        with page.expect_navigation():
            page.locator("input[name=code]").press("Enter")
