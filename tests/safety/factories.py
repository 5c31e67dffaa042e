"""Helpers for the safety tests: a safety officer and restriction versions recorded through the
service (holds, releases and audit as in life).

Restriction versions are addressed as ``<uuid:restriction>`` (no ``_id``): the isolation test
needs no factory for them (ADR 0017).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from tests.factories import UserFactory
from wayhome.accounts.models import Office, User
from wayhome.accounts.permissions import Role
from wayhome.cases.models import Case
from wayhome.safety.models import Restriction
from wayhome.safety.services import HoldResult, restriction_record


def safety_officer(office: Office, **kwargs: Any) -> User:
    return UserFactory.create(roles=[(office, Role.SAFETY)], **kwargs)


def record(
    actor: User, previous: Restriction | None = None, **overrides: Any
) -> tuple[Restriction, HoldResult]:
    data: dict[str, Any] = {
        "programmes": ["AVR", "AVRR", "VHR"],
        "status": "suspended",
        "valid_from": timezone.localdate() - datetime.timedelta(days=1),
        "valid_to": None,
        "reason": "Armed conflict",
        "source": "Security assessment",
        "approved_by": actor,
    }
    if previous is None:
        data["country"] = "AF"
        data["region"] = ""
    data.update(overrides)
    return restriction_record(actor=actor, previous=previous, **data)


def set_status(case: Case, status: str) -> Case:
    Case.objects.filter(pk=case.pk).update(status=status)
    case.refresh_from_db()
    return case
