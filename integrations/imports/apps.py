from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """The import wizard: its own app (label "imports") so its models and migrations stand apart."""

    name = "integrations.imports"
    label = "imports"
    verbose_name = "Imports"
