from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """E-mail and password. One message for every failure, so that accounts cannot be guessed."""

    error_messages = {
        "invalid_login": _("The e-mail address or the password is not right."),
        "inactive": _("The e-mail address or the password is not right."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("E-mail address")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "type": "email"})

    def clean_username(self) -> str:
        return str(self.cleaned_data.get("username", "")).strip().lower()


class TokenCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Six-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the six digits your app shows.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "8"}
        ),
    )

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip()


class OfficeSwitchForm(forms.Form):
    office = forms.UUIDField()
