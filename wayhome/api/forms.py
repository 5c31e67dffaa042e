from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Where the token is used, for example “reporting laptop”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    expires_on = forms.DateField(
        label=_("Valid until (optional)"),
        required=False,
        help_text=_("The token stops working at the end of this day. Leave empty for no expiry."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the token a name."))
        return name

    def clean_expires_on(self) -> date | None:
        value: date | None = self.cleaned_data.get("expires_on")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later day."))
        return value

    def expires_at(self) -> datetime | None:
        """The end of the chosen day, in the site's time zone."""
        value: Any = self.cleaned_data.get("expires_on")
        if value is None:
            return None
        return datetime.combine(
            value + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
        )
