from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "cep.security"
    label = "security"
    verbose_name = "CEP — sécurité"
