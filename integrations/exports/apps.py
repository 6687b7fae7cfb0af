from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """Downloads of the program's data, saved export templates and their scheduled deliveries (label "exports")."""

    name = "integrations.exports"
    label = "exports"
    verbose_name = "Exports"
