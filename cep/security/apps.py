from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "cep.security"
    label = "security"
    verbose_name = "CEP — sécurité"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from cep.security.middleware import mark_session_active

        user_logged_in.connect(mark_session_active, dispatch_uid="cep_idle_clock")
