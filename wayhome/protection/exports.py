"""The transfer register as an export (the general exports of build order 8): for the data
protection officer, with the register page's filters. Ids, codes and field names only."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.permissions import Perm
from wayhome.exports.kinds import ExportKind
from wayhome.protection.forms import TransferFilterForm
from wayhome.protection.selectors import TransferFilters, transfer_list


class TransfersExport(ExportKind):
    name = "transfers"
    label = _("Transfer register")
    view_perm = Perm.DATA_PROTECTION
    columns = (
        (_("when"), "occurred_at"),
        (_("kind"), "kind"),
        (_("from office"), "office__code"),
        (_("case"), "case__reference"),
        (_("person (id)"), "person_id"),
        (_("recipient"), "recipient_kind"),
        (_("recipient office"), "recipient_office__code"),
        (_("recipient name"), "recipient_name"),
        (_("downloaded by"), "recipient_user__email"),
        (_("purpose"), "purpose"),
        (_("consent relied on (id)"), "consent_id"),
        (_("fields"), "fields"),
        (_("people or rows"), "rows"),
        (_("sent by"), "actor__email"),
    )
    filter_fields = (
        "transfer_kind",
        "recipient_kind",
        "office",
        "date_from",
        "date_to",
        "reference",
        "recipient",
    )

    def filter_form(self, user: Any, data: dict[str, Any]) -> TransferFilterForm:
        return TransferFilterForm(data, offices=self.user_offices(user))

    def clean_filters(self, user: Any, filters: dict[str, Any]) -> dict[str, Any]:
        data = self.form_data(user, filters)
        cleaned = {
            "transfer_kind": data["transfer_kind"],
            "recipient_kind": data["recipient_kind"],
            "office": data["office"],
            "date_from": data["date_from"].isoformat() if data["date_from"] else "",
            "date_to": data["date_to"].isoformat() if data["date_to"] else "",
            "reference": data["reference"].strip(),
            "recipient": data["recipient"].strip(),
        }
        return {key: value for key, value in cleaned.items() if value}

    def queryset(self, user: Any, filters: dict[str, Any]) -> QuerySet[Any]:
        form = self.filter_form(user, filters)
        chosen = form.filters() if form.is_valid() else TransferFilters()
        offices = self.offices(user)
        return transfer_list(user, chosen).filter(office_id__in=offices)

    def cells(self, row: tuple[Any, ...]) -> list[Any]:
        return [
            ", ".join(value)
            if isinstance(value, list)
            else str(value)
            if isinstance(value, uuid.UUID)
            else value
            for value in super().cells(row)
        ]
