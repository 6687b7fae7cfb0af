"""Forms of the tenants pages: a personal access token's name, scopes and expiry."""

import datetime as dt

from django import forms

from tenants.tokens import DEFAULT_DAYS, MAX_DAYS

SCOPE_HELP = {
    "read": "read",
    "write": "change",
}


class TokenCreateForm(forms.Form):
    """Offers only the scopes the user's role allows; the service checks them again."""

    name = forms.CharField(max_length=100, help_text="What uses it, such as “Rota sync script”.")
    scopes = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, help_text="Change implies read.")
    expires_on = forms.DateField(
        label="Expires on", widget=forms.DateInput(attrs={"type": "date"}), help_text=f"At most {MAX_DAYS} days."
    )

    def __init__(self, *args, allowed_scopes: list[str], today: dt.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [(scope, _label(scope)) for scope in allowed_scopes]
        self.fields["expires_on"].initial = today + dt.timedelta(days=DEFAULT_DAYS)
        self.fields["expires_on"].widget.attrs.update(
            min=(today + dt.timedelta(days=1)).isoformat(), max=(today + dt.timedelta(days=MAX_DAYS)).isoformat()
        )


def _label(scope: str) -> str:
    mode, _, area = scope.partition(":")
    return f"{SCOPE_HELP[mode].capitalize()} {area} ({scope})"
