"""What every app's forms share: service errors on their fields, ids unique on a page."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Shows a service's ``ValidationError`` on the fields it names (the others above the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ScopedIdForm(forms.Form):
    """A form that shares its page with others: its ids carry ``id_scope`` so that two forms
    with a field of the same name (a signed form, a date) never repeat an id, which would tie
    a label to the wrong input. Field names, and so what is posted, are unchanged."""

    id_scope: ClassVar[str] = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if self.id_scope:
            kwargs.setdefault("auto_id", f"id_{self.id_scope}_%s")
        super().__init__(*args, **kwargs)
