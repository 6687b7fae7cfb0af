from django.apps import AppConfig


class AbsencesConfig(AppConfig):
    name = "absences"

    def ready(self) -> None:
        """A person's absences are theirs: guardian object permissions for their login (tenants.ownership)."""
        from absences.models import Absence
        from tenants.ownership import owned_model_register

        owned_model_register(Absence, "person")
