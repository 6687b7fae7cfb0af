"""One bounded reading of request parameters (ids, whole numbers, dates, months) for every page and export.

Each reader goes through a Django form field with bounds, so that odd input (a Unicode digit such as "²", a
23-digit id, a NUL, 9999-12-31) reads as "not given or not valid" and the page answers with a message, never with
a server error: ids must fit the database's integer, dates lie in DATE_MIN..DATE_MAX (so the pages' date
arithmetic, a week before or a month after, always stays inside the calendar).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError

DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2200, 12, 31)
ID_MAX = 2**63 - 1  # BigAutoField
_ID = forms.IntegerField(min_value=1, max_value=ID_MAX)
_DATE = forms.DateField(input_formats=["%Y-%m-%d"])
_MONTH = forms.DateField(input_formats=["%Y-%m"])


def _ascii(value: object) -> str | None:
    text = "" if value is None else str(value).strip()
    return text if text and text.isascii() and "\x00" not in text and len(text) <= 40 else None


def parse_id(value: object) -> int | None:
    """A database id (1..2^63-1) written in ASCII digits, else None."""
    text = _ascii(value)
    if text is None or not text.isdigit():
        return None
    try:
        return _ID.clean(text)
    except ValidationError:
        return None


def parse_whole(value: object, *, low: int, high: int) -> int | None:
    """A whole number in low..high written in ASCII digits (an optional minus), else None."""
    text = _ascii(value)
    if text is None or not text.lstrip("-").isdigit():
        return None
    try:
        return forms.IntegerField(min_value=low, max_value=high).clean(text)
    except ValidationError:
        return None


def _bounded(day: dt.date | None) -> dt.date | None:
    return day if day is not None and DATE_MIN <= day <= DATE_MAX else None


def parse_date(value: object) -> dt.date | None:
    """A YYYY-MM-DD date between DATE_MIN and DATE_MAX, else None."""
    text = _ascii(value)
    if text is None or len(text) != 10:
        return None
    try:
        return _bounded(_DATE.clean(text))
    except ValidationError:
        return None


def parse_month(value: object) -> dt.date | None:
    """The first day of a YYYY-MM month between DATE_MIN and DATE_MAX, else None."""
    text = _ascii(value)
    if text is None or len(text) != 7:
        return None
    try:
        return _bounded(_MONTH.clean(text))
    except ValidationError:
        return None


def date_window_message(what: str = "date") -> str:
    return f"The {what} must lie between {DATE_MIN:%Y} and {DATE_MAX:%Y}."
