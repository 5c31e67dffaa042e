"""The check every feature makes before a person's data leaves the office.

    from wayhome.consent.sharing import require_sharing_allowed
    require_sharing_allowed(person, purpose="reintegration_assistance",
                            recipient_kind="origin_office", recipient_office=office)

Sharing is allowed only under an active (not revoked) consent of the person for exactly that
purpose and that recipient: the same office for ``origin_office``; the same name (ignoring case
and spacing) for a ``partner`` or a ``government_authority``. Deny by default: no consent, a
revoked one, another purpose or another recipient all answer no.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.consent.models import DataSharingConsent
from wayhome.people.models import Person


class SharingNotAllowed(PermissionDenied):
    """No active consent covers this purpose and recipient: the data must not be shared."""

    def __init__(self, *, purpose: str, recipient_kind: str) -> None:
        self.purpose = purpose
        self.recipient_kind = recipient_kind
        super().__init__(
            _(
                "The person has not consented to sharing their data for “%(purpose)s” with "
                "this recipient (%(kind)s), or has revoked that consent."
            )
            % {"purpose": purpose, "kind": recipient_kind}
        )


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def consent_relied_on(
    person: Person | Any,
    *,
    purpose: str,
    recipient_kind: str,
    recipient_office: Office | None = None,
    recipient_name: str = "",
) -> DataSharingConsent | None:
    """The active consent of ``person`` that covers ``purpose`` and this recipient (the most
    recently given), or None."""
    candidates = DataSharingConsent.objects.filter(
        person_id=person.pk,
        purpose=purpose,
        recipient_kind=recipient_kind,
        revoked_on__isnull=True,
        given_on__lte=timezone.localdate(),
    ).order_by("-given_on", "-created_at")
    office_id = recipient_office.pk if recipient_office is not None else None
    if recipient_kind == DataSharingConsent.RecipientKind.ORIGIN_OFFICE:
        if office_id is None:
            return None
        return candidates.filter(recipient_office_id=office_id).first()
    if not recipient_name.strip() or office_id is not None:
        return None
    return next(
        (c for c in candidates if _same_name(c.recipient_name, recipient_name)),
        None,
    )


def sharing_allowed(
    person: Person | Any,
    *,
    purpose: str,
    recipient_kind: str,
    recipient_office: Office | None = None,
    recipient_name: str = "",
) -> bool:
    """True when an active consent of ``person`` covers ``purpose`` and this recipient."""
    return (
        consent_relied_on(
            person,
            purpose=purpose,
            recipient_kind=recipient_kind,
            recipient_office=recipient_office,
            recipient_name=recipient_name,
        )
        is not None
    )


def require_sharing_allowed(
    person: Person | Any,
    *,
    purpose: str,
    recipient_kind: str,
    recipient_office: Office | None = None,
    recipient_name: str = "",
) -> None:
    """Raises ``SharingNotAllowed`` unless ``sharing_allowed``."""
    if not sharing_allowed(
        person,
        purpose=purpose,
        recipient_kind=recipient_kind,
        recipient_office=recipient_office,
        recipient_name=recipient_name,
    ):
        raise SharingNotAllowed(purpose=purpose, recipient_kind=recipient_kind)
