from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        """Program settings are checked by the scheduling and wishes readers before any form saves them; cached
        schedule output is dropped when a row it is drawn from changes."""
        from scheduling import schedule_cache
        from scheduling.program_settings import SETTINGS_KEY, settings_from_json
        from scheduling.wish_settings import WISH_SETTINGS_KEY, wish_settings_from_json
        from tenants.settings_sections import settings_section_register

        settings_section_register(SETTINGS_KEY, settings_from_json)
        settings_section_register(WISH_SETTINGS_KEY, wish_settings_from_json)
        schedule_cache.connect()
        # A person's wishes are theirs (guardian object permissions, tenants.ownership); so is their calendar feed
        # (integrations.feeds registers it).
        from scheduling.models import Person, Preference
        from tenants.ownership import owned_model_register, person_model_register

        owned_model_register(Preference, "person")
        person_model_register(Person)
        # An approved absence changes what the ACGME checker reads of the published schedule: alert after commit
        # (absences sits below scheduling and never calls it).
        from django.db.models.signals import post_save

        from absences.models import Absence
        from scheduling.acgme_alerts import absence_saved

        post_save.connect(absence_saved, sender=Absence, dispatch_uid="scheduling-acgme-alerts-absence")
