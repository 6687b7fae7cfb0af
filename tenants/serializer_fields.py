"""Bounded serializer fields: dates and times of the API lie within tenants.params' window (1900-2200).

A certification issued in year 9999 or a call starting on 0001-01-01 is a 400 naming the field, not an overflow in
the date arithmetic that follows (an expiry 24 months later, a time-zone shift). `install()` makes them what every
ModelSerializer builds for model date and datetime fields; declared fields use them by name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from rest_framework import serializers

from tenants.params import DATE_MAX, DATE_MIN, ID_MAX, date_window_message


def _refuse_outside(day: dt.date) -> None:
    if not DATE_MIN <= day <= DATE_MAX:
        raise serializers.ValidationError(date_window_message(), code="date_window")


class DateField(serializers.DateField):
    """A date between DATE_MIN and DATE_MAX."""

    def to_internal_value(self, value: Any) -> dt.date:
        day = super().to_internal_value(value)
        _refuse_outside(day)
        return day


class IdField(serializers.IntegerField):
    """A database id: 1..2^63-1 (a 23-digit id or 1e999 is a 400, not an overflow)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=ID_MAX, **kwargs)


class DateTimeField(serializers.DateTimeField):
    """A date and time whose date lies between DATE_MIN and DATE_MAX (before any time-zone conversion)."""

    def to_internal_value(self, value: Any) -> dt.datetime:
        if isinstance(value, str):
            try:
                naive = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                naive = None
            if naive is not None:
                _refuse_outside(naive.date())
        moment = super().to_internal_value(value)
        _refuse_outside(moment.date())
        return moment


def install() -> None:
    """Every ModelSerializer maps model dates and datetimes to the bounded fields (called from TenantsConfig)."""
    mapping = serializers.ModelSerializer.serializer_field_mapping
    mapping[models.DateField] = DateField
    mapping[models.DateTimeField] = DateTimeField
