"""A session as a login completed with its second factor leaves it."""


def verify_second_factor(session, user) -> None:
    """What a login completed with its TOTP code leaves in the session (django-otp)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="Test", confirmed=True)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
