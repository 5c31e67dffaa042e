"""The auditor's filters (a GET form: the filters live in the address, so a view can be shared)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.audit.actions import ACTIONS
from wayhome.audit.selectors import EventFilters, actor_id_for_email


class DateInput(forms.DateInput):
    input_type = "date"


class EventFilterForm(forms.Form):
    actor = forms.EmailField(label=_("Who (e-mail address)"), required=False)
    action = forms.ChoiceField(label=_("What (action)"), required=False)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=64)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    office = forms.ChoiceField(label=_("Office"), required=False)
    date_from = forms.DateField(label=_("From (date, UTC)"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To (date, UTC)"), required=False, widget=DateInput)

    def __init__(self, *args: Any, offices: Sequence[Office], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        any_choice = ("", _("Any"))
        action_field = cast(forms.ChoiceField, self.fields["action"])
        action_field.choices = [any_choice, *sorted(ACTIONS.items(), key=lambda item: item[0])]
        office_field = cast(forms.ChoiceField, self.fields["office"])
        office_field.choices = [any_choice, *((str(o.pk), o.name) for o in offices)]
        self._actor_id: uuid.UUID | None = None

    def clean_actor(self) -> str:
        email: str = self.cleaned_data.get("actor") or ""
        if email:
            self._actor_id = actor_id_for_email(email)
            if self._actor_id is None:
                raise forms.ValidationError(_("No user has this e-mail address."))
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def used(self) -> list[str]:
        """The names (never the values) of the filters that were filled in."""
        return sorted(name for name in self.fields if str(self.data.get(name, "")).strip())

    def filters(self) -> EventFilters:
        """The filters as the selector takes them (the form must be valid, or unbound)."""
        data = self.cleaned_data if self.is_bound else {}
        date_from, date_to = data.get("date_from"), data.get("date_to")
        return EventFilters(
            actor_id=self._actor_id,
            action=data.get("action", ""),
            object_type=data.get("object_type", "").strip(),
            object_id=data.get("object_id", "").strip(),
            office_id=uuid.UUID(data["office"]) if data.get("office") else None,
            occurred_from=datetime.combine(date_from, time.min, tzinfo=UTC) if date_from else None,
            occurred_before=(
                datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=UTC)
                if date_to
                else None
            ),
        )
