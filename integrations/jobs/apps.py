from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Background file jobs (large exports and imports): their own app (label "jobs") with its own migrations."""

    name = "integrations.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
