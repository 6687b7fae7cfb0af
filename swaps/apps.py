from django.apps import AppConfig


class SwapsConfig(AppConfig):
    name = "swaps"

    def ready(self) -> None:
        """The program's swap settings are checked by their reader before any form saves them; the demo's swaps
        are made once `seed_demo --schedule` has published the demo year."""
        from scheduling.demo import demo_after_publish_register
        from swaps.demo import demo_swaps_seed
        from swaps.program_settings import SWAP_SETTINGS_KEY, swap_settings_from_json
        from tenants.settings_sections import settings_section_register

        settings_section_register(SWAP_SETTINGS_KEY, swap_settings_from_json)
        demo_after_publish_register(demo_swaps_seed)
        # A swap is its requester's (guardian object permissions, tenants.ownership).
        from swaps.models import Swap
        from tenants.ownership import owned_model_register

        owned_model_register(Swap, "requester")
