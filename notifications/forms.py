"""The preferences form: a channel and a push choice per event, the digest hour and optional quiet hours."""

from django import forms

from notifications.events import EVENTS, Channel, Event, default_push

HOUR_CHOICES = [(hour, f"{hour:02d}:00") for hour in range(24)]
OPTIONAL_HOUR_CHOICES = [("", "—"), *HOUR_CHOICES]


def _optional_hour(value: str) -> int | None:
    return None if value in ("", None) else int(value)


class PreferencesForm(forms.Form):
    """One select per event (named `event_<event>`) with a push box (`push_<event>`), then the digest hour and
    quiet hours."""

    digest_hour = forms.TypedChoiceField(
        label="Daily digest at", choices=HOUR_CHOICES, coerce=int, help_text="In your program's time zone."
    )
    quiet_start = forms.TypedChoiceField(
        label="Quiet hours from", choices=OPTIONAL_HOUR_CHOICES, coerce=_optional_hour, required=False, empty_value=None
    )
    quiet_end = forms.TypedChoiceField(
        label="Quiet hours until",
        choices=OPTIONAL_HOUR_CHOICES,
        coerce=_optional_hour,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args, events: list[Event] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.events = list(Event) if events is None else events  # the others keep what is stored
        for event in self.events:
            self.fields[f"event_{event.value}"] = forms.ChoiceField(
                label=event.label,
                choices=Channel.choices,
                help_text=f"Default: {Channel(EVENTS[event].default_channel).label.lower()}"
                f"{', pushed' if default_push(event) else ''}.",
            )
            self.fields[f"push_{event.value}"] = forms.BooleanField(label=f"Push: {event.label}", required=False)

    def event_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"event_{event.value}"], self[f"push_{event.value}"]) for event in self.events]

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if (start is None) != (end is None):
            raise forms.ValidationError("Choose both the start and the end of your quiet hours, or neither.")
        if start is not None and start == end:
            raise forms.ValidationError("Quiet hours must end at another hour than they start.")
        return data

    def channels(self) -> dict[str, str]:
        return {event.value: self.cleaned_data[f"event_{event.value}"] for event in self.events}

    def push(self) -> dict[str, bool]:
        return {event.value: self.cleaned_data[f"push_{event.value}"] for event in self.events}
