"""What every app's forms share: service errors on their fields, a service run from a form
(400 or 409), ids unique on a page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Shows a service's ``ValidationError`` on the fields it names (the others above the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def is_stale(exc: ValidationError) -> bool:
    """A service's refusal of a stale version (the pages' and the API's 409)."""
    return not hasattr(exc, "error_dict") and exc.code == "stale"


def submit(
    request: HttpRequest, form: forms.BaseForm, call: Callable[[dict[str, Any]], Any]
) -> int:
    """Runs ``call`` (a service) with a bound form's cleaned data. 0 when it succeeded; else the
    status to answer: 400 with the errors on the form, 409 for a stale version (its message
    shown above the page: the caller reads the record again)."""
    if not form.is_valid():
        return 400
    try:
        call(form.cleaned_data)
    except ValidationError as exc:
        if is_stale(exc):
            messages.error(request, " ".join(exc.messages))
            return 409
        add_service_errors(form, exc)
        return 400
    return 0


class ScopedIdForm(forms.Form):
    """A form that shares its page with others: its ids carry ``id_scope`` so that two forms
    with a field of the same name (a signed form, a date) never repeat an id, which would tie
    a label to the wrong input. Field names, and so what is posted, are unchanged."""

    id_scope: ClassVar[str] = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if self.id_scope:
            kwargs.setdefault("auto_id", f"id_{self.id_scope}_%s")
        super().__init__(*args, **kwargs)
