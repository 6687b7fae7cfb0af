"""django-import-export widgets that read what people type in spreadsheets and say plainly what is wrong.

Each `clean` returns None for an empty cell (the resource decides whether the column is required) and raises
ValueError with a message naming the value."""

import datetime as dt
import re
from typing import Any

from import_export import widgets

from integrations.imports.text import clean, fold

DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y")
TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%I:%M %p", "%I %p", "%H%M")
_NUMBER = re.compile(r"(\d+)")


class Text(widgets.Widget):
    """Text with spaces trimmed and collapsed."""

    def clean(self, value: Any, row=None, **kwargs) -> str | None:
        return clean(value) or None


class Whole(widgets.Widget):
    """A whole number from 12, 12.0, "PGY-2", "Block 3" (the first number), within `low`..`high`."""

    def __init__(self, label: str, low: int, high: int) -> None:
        super().__init__()
        self.label, self.low, self.high = label, low, high

    def clean(self, value: Any, row=None, **kwargs) -> int | None:
        if isinstance(value, bool):
            raise ValueError(f"“{value}” is not a {self.label}.")
        if isinstance(value, int | float):
            number = int(value)
            if number != value:
                raise ValueError(f"“{value:g}” is not a whole {self.label}.")
        else:
            text = clean(value)
            if not text:
                return None
            found = _NUMBER.findall(text)
            if len(found) != 1:
                raise ValueError(f"“{text}” is not a {self.label} (write a number from {self.low} to {self.high}).")
            number = int(found[0])
        if not self.low <= number <= self.high:
            raise ValueError(f"{number} is not a {self.label} from {self.low} to {self.high}.")
        return number


class Choice(widgets.Widget):
    """One of a model's choices, by its value or its label in any case or accent, or by one of `aliases`."""

    def __init__(self, label: str, choices: list[tuple[str, str]], aliases: dict[str, str] | None = None) -> None:
        super().__init__()
        self.label = label
        self.labels = [str(text) for _value, text in choices if _value]
        self.lookup: dict[str, str] = {}
        for value, text in choices:
            self.lookup[fold(value)] = value
            self.lookup[fold(text)] = value
        for alias, value in (aliases or {}).items():
            self.lookup[fold(alias)] = value

    def clean(self, value: Any, row=None, **kwargs) -> str | None:
        text = clean(value)
        if not text:
            return None
        found = self.lookup.get(fold(text))
        if found is None:
            raise ValueError(f"“{text}” is not a {self.label}; write one of: {', '.join(self.labels)}.")
        return found


class Date(widgets.Widget):
    """A date cell, or text as YYYY-MM-DD, MM/DD/YYYY or “3 Aug 2026”."""

    def clean(self, value: Any, row=None, **kwargs) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = clean(value)
        if not text:
            return None
        for pattern in DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise ValueError(
            f"“{text}” is not a date: write it as YYYY-MM-DD (2026-08-03) or MM/DD/YYYY, or use a date cell."
        )


class Time(widgets.Widget):
    """A time cell, or text as 17:00 or 5:00 PM."""

    def clean(self, value: Any, row=None, **kwargs) -> dt.time | None:
        if isinstance(value, dt.datetime):
            return value.time()
        if isinstance(value, dt.time):
            return value
        text = clean(value).upper()
        if not text:
            return None
        for pattern in TIME_FORMATS:
            try:
                return dt.datetime.strptime(text, pattern).time()
            except ValueError:
                continue
        raise ValueError(f"“{clean(value)}” is not a time: write it as 17:00 or 5:00 PM.")
