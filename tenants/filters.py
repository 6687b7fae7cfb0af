"""The bounded query-string filters every API FilterSet derives from (django-filter).

Whole numbers are written in ASCII digits and lie in the database column's range (so "²" or a 23-digit id is a
400, never an overflow in PostgreSQL), ids are 1..2^63-1, dates are YYYY-MM-DD within tenants.params' window
(1900-2200), text refuses NUL (Django's CharField does) and is at most 200 characters. `FilterSet` maps model
fields to these filters, and `FilterBackend` makes it the base of the filters DRF builds itself.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django_filters import rest_framework
from django_filters.filterset import remote_queryset

from tenants.params import DATE_MAX, DATE_MIN, ID_MAX, date_window_message

BIGINT_MIN, BIGINT_MAX = BaseDatabaseOperations.integer_field_ranges["BigIntegerField"]
TEXT_MAX = 200
WHOLE_NUMBER = "Enter a whole number written with the digits 0-9."


def _ascii_digits(value: Any) -> None:
    text = str(value).strip()
    if not (text.isascii() and text.lstrip("-").isdigit()):
        raise ValidationError(WHOLE_NUMBER, code="invalid")


class WholeNumberField(forms.IntegerField):
    """An integer in ASCII digits, within min_value..max_value (by default a bigint's range)."""

    default_error_messages = {"invalid": WHOLE_NUMBER}

    def __init__(self, *, min_value: int | None = None, max_value: int | None = None, **kwargs: Any) -> None:
        low = BIGINT_MIN if min_value is None else min_value
        high = BIGINT_MAX if max_value is None else max_value
        super().__init__(min_value=low, max_value=high, **kwargs)

    def to_python(self, value: Any) -> int | None:
        if value not in self.empty_values:
            _ascii_digits(value)
        return super().to_python(value)


class IdField(WholeNumberField):
    """A database id: 1..2^63-1."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.update(min_value=1, max_value=ID_MAX)
        super().__init__(**kwargs)


class BoundedDateField(forms.DateField):
    """A YYYY-MM-DD date within DATE_MIN..DATE_MAX."""

    input_formats = ["%Y-%m-%d"]
    default_error_messages = {"invalid": "Enter a date as YYYY-MM-DD, e.g. 2026-07-01."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("input_formats", None)
        super().__init__(**kwargs)
        window = date_window_message()
        self.validators += [MinValueValidator(DATE_MIN, window), MaxValueValidator(DATE_MAX, window)]


class BoundedModelChoiceField(django_filters.fields.ModelChoiceField):
    """A row of the queryset named by its id; anything but an id is refused before the database is asked."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values:
            try:
                IdField().clean(value)
            except ValidationError:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None
        return super().to_python(value)


# Filters that need no bounds, so that a FilterSet finds all it uses here.
BooleanFilter = rest_framework.BooleanFilter
ChoiceFilter = django_filters.ChoiceFilter
MultipleChoiceFilter = django_filters.MultipleChoiceFilter


class WholeNumberFilter(django_filters.NumberFilter):
    field_class = WholeNumberField


class IdFilter(django_filters.NumberFilter):
    """An id compared as a number (e.g. `field_name="person_id"`); use ModelChoiceFilter to refuse unknown ids."""

    field_class = IdField


class DateFilter(django_filters.DateFilter):
    field_class = BoundedDateField


class CharFilter(django_filters.CharFilter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", TEXT_MAX)
        super().__init__(*args, **kwargs)


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = BoundedModelChoiceField


def _integer_range(field: models.Field) -> dict[str, int]:
    low, high = BaseDatabaseOperations.integer_field_ranges.get(field.get_internal_type(), (BIGINT_MIN, BIGINT_MAX))
    return {"min_value": low, "max_value": high}


_INTEGER_FIELDS = [
    models.SmallIntegerField,
    models.IntegerField,
    models.BigIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
]
_ID_FIELDS = [models.AutoField, models.BigAutoField, models.SmallAutoField]
_TEXT_FIELDS = [models.CharField, models.TextField, models.SlugField, models.EmailField, models.URLField]
_RELATIONS = [models.ForeignKey, models.OneToOneField, models.OneToOneRel]


class FilterSet(rest_framework.FilterSet):
    """django-filter's DRF FilterSet whose generated filters are bounded (see the module's docstring)."""

    FILTER_DEFAULTS = {
        **rest_framework.FilterSet.FILTER_DEFAULTS,
        **{kind: {"filter_class": WholeNumberFilter, "extra": _integer_range} for kind in _INTEGER_FIELDS},
        **{kind: {"filter_class": IdFilter} for kind in _ID_FIELDS},
        **{kind: {"filter_class": CharFilter} for kind in _TEXT_FIELDS},
        models.DateField: {"filter_class": DateFilter},
        **{
            kind: {"filter_class": ModelChoiceFilter, "extra": lambda f: {"queryset": remote_queryset(f)}}
            for kind in _RELATIONS
        },
    }


class FilterBackend(rest_framework.DjangoFilterBackend):
    """DRF's django-filter backend building its own FilterSets on the bounded base."""

    filterset_base = FilterSet
