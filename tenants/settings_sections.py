"""Sections of Organization.settings that higher apps own, each checked by its app's reader before it is saved.

Tenants cannot import the apps above it, so an app registers its reader at start-up (AppConfig.ready); every
save through a form (admin or page) then runs the same reader the app uses at run time, and a document the
reader would refuse never reaches the database.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError

from tenants.errors import DomainError

SettingsReader = Callable[[Any], object]

_readers: dict[str, SettingsReader] = {}


def settings_section_register(key: str, reader: SettingsReader) -> None:
    """Check Organization.settings[key] with `reader`, which raises DomainError naming the setting at fault."""
    _readers[key] = reader


def settings_validate(settings: Any) -> None:
    """Raise ValidationError (on the `settings` field) when a registered reader refuses its section."""
    if not isinstance(settings, dict):
        raise ValidationError({"settings": "Settings must be a JSON object."})
    for key, reader in sorted(_readers.items()):
        try:
            reader(settings.get(key))
        except DomainError as exc:
            raise ValidationError({"settings": str(exc)}) from exc
