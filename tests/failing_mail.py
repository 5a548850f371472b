"""An e-mail backend whose server is down: every send fails, as a real SMTP outage does."""

from smtplib import SMTPException

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise SMTPException("serveur de messagerie indisponible")
