from django.apps import AppConfig


class CepConfig(AppConfig):
    name = "cep"
    verbose_name = "CEP — socle"

    def ready(self):
        from cep.data_export import register_core_sections
        from cep.services import on_share_consent_withdrawn
        from cep.signals import consent_withdrawn
        from cep.space_sections import register_core_space_sections
        from cep.team import register_core_figures

        register_core_sections()
        register_core_space_sections()
        register_core_figures()
        consent_withdrawn.connect(on_share_consent_withdrawn, dispatch_uid="cep_transfers")
