from django.apps import AppConfig


class SpaceConfig(AppConfig):
    name = "cep.space"
    label = "space"
    verbose_name = "CEP — espace bénéficiaire"

    def ready(self):
        from cep.file_page import FileBlock, register_file_block
        from cep.space.data_export import register_data_sections
        from cep.space.sections import register_core_space_sections
        from cep.space.selectors import file_block_context

        register_data_sections()
        register_core_space_sections()
        register_file_block(FileBlock("space/file_block.html", file_block_context, 10))
