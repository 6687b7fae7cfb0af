from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"

    def ready(self) -> None:
        """The fairness section of a program's settings is checked by its reader before any form saves it."""
        from analytics.fairness_settings import FAIRNESS_SETTINGS_KEY, fairness_settings_from_json
        from tenants.settings_sections import settings_section_register

        settings_section_register(FAIRNESS_SETTINGS_KEY, fairness_settings_from_json)
