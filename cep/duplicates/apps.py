from django.apps import AppConfig


class DuplicatesConfig(AppConfig):
    name = "cep.duplicates"
    label = "duplicates"
    verbose_name = "CEP — doublons et fusion des dossiers"

    def ready(self):
        from cep.duplicates.matching import candidates_after_change, candidates_for_beneficiary
        from cep.duplicates.services import record_distinct_person
        from cep.registries import PersonMatcher, register_person_matcher

        register_person_matcher(
            PersonMatcher(
                candidates=candidates_for_beneficiary,
                record_distinct=record_distinct_person,
                candidates_after_change=candidates_after_change,
            )
        )
