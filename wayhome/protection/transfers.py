"""The transfer register: every transfer of personal data out of the office, written in the
transaction of the transfer itself.

    from wayhome.protection.transfers import transfer_record
    transfer_record(actor=actor, kind=Transfer.Kind.HANDOVER, office_id=case.office_id,
                    obj=handover, case=case, people=[m.person for m in members],
                    recipient_kind="origin_office", recipient_office=office,
                    purpose="reintegration_assistance", fields=package_fields(package))

A package to a recipient (a hand-over, a referral, a manifest) gives one row per person, with
the consent relied on where consent governs that recipient (``consent.sharing.consent_relied_on``:
the same check that allowed it). A file (an export, a microdata release) gives one row with the
number of rows, downloaded by a member of staff. The register holds ids, codes, field names and
the recipient organisation's name, never a person's values.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import models
from django.utils import timezone

from wayhome.consent.models import DataSharingConsent
from wayhome.consent.sharing import consent_relied_on
from wayhome.protection.models import Transfer

#: Keys of a package that describe it rather than carry data.
_NOT_DATA = frozenset({"version", "label"})


def package_fields(package: Mapping[str, Any], prefix: str = "") -> list[str]:
    """The dotted names of the data fields of a package (``travellers.given_name``,
    ``travellers.document.number``): what the register says was shared."""
    names: set[str] = set()
    for key, value in package.items():
        if key in _NOT_DATA:
            continue
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            names.update(package_fields(value, f"{name}."))
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            for item in value:
                names.update(package_fields(item, f"{name}."))
        else:
            names.add(name)
    return sorted(names)


def transfer_rows(
    *,
    actor: Any,
    kind: str,
    office_id: uuid.UUID,
    obj: models.Model,
    recipient_kind: str,
    fields: Iterable[str],
    people: Sequence[Any] = (),
    case: Any = None,
    recipient_office: Any = None,
    recipient_name: str = "",
    recipient_user: Any = None,
    purpose: str = "",
    rows: int | None = None,
) -> list[Transfer]:
    """The register's rows for one transfer, not yet saved: one per person in ``people``, else
    one for the file (``rows`` its number of rows)."""
    actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", True) else None
    common: dict[str, Any] = {
        "occurred_at": timezone.now(),
        "kind": kind,
        "office_id": office_id,
        "actor_id": actor_id,
        "case": case,
        "recipient_kind": recipient_kind,
        "recipient_office": recipient_office,
        "recipient_name": " ".join(recipient_name.split()),
        "recipient_user": recipient_user,
        "purpose": purpose,
        "fields": sorted(set(fields)),
        "object_type": obj._meta.label_lower,
        "object_id": str(obj.pk),
    }
    if not people:
        return [Transfer(**common, rows=rows or 0)]
    return [
        Transfer(
            **common,
            person=person,
            consent=consent_relied_on(
                person,
                purpose=purpose,
                recipient_kind=recipient_kind,
                recipient_office=recipient_office,
                recipient_name=recipient_name,
            )
            if purpose and recipient_kind in DataSharingConsent.RecipientKind.values
            else None,
            rows=1,
        )
        for person in people
    ]


def transfer_record(**transfer: Any) -> list[Transfer]:
    """Writes the register's rows for one transfer (the arguments of ``transfer_rows``)."""
    return Transfer.objects.bulk_create(transfer_rows(**transfer))
