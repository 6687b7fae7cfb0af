from django.apps import AppConfig


class SwapsConfig(AppConfig):
    name = "swaps"

    def ready(self) -> None:
        """The program's swap settings are checked by their reader before any form saves them."""
        from swaps.program_settings import SWAP_SETTINGS_KEY, swap_settings_from_json
        from tenants.settings_sections import settings_section_register

        settings_section_register(SWAP_SETTINGS_KEY, swap_settings_from_json)
