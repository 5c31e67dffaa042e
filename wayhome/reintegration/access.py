"""Who works the reintegration side of a case.

The host office keeps the case; once an origin office has taken over a hand-over of it
(``Handover.acknowledged_at``), that office works its reintegration too, without seeing the host
office's pages of the case. So a user may see a case's reintegration records with "view case"
in the case's office *or* in an office that took the case over, and act on them with the
permission the action needs in one of those offices. Anything else answers 404.

Partner users (members of a ``Partner``) see none of this: only their referrals
(``partner_referrals``), and only the fields shared with them.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm, offices_with
from wayhome.cases.models import Case
from wayhome.consent.models import DataSharingConsent
from wayhome.movements.models import Handover


def _taken_over_by(offices: set[uuid.UUID]) -> Exists:
    return Exists(
        Handover.objects.filter(
            case=OuterRef("pk"),
            recipient_kind=DataSharingConsent.RecipientKind.ORIGIN_OFFICE,
            recipient_office_id__in=offices,
            acknowledged_at__isnull=False,
        )
    )


def cases_worked(user: Any, perm: Perm = Perm.CASE_VIEW) -> QuerySet[Case]:
    """Cases whose reintegration side ``user`` may see (or act on, with ``perm``)."""
    offices = offices_with(user, Perm.CASE_VIEW)
    if perm != Perm.CASE_VIEW:
        offices &= offices_with(user, perm)
    if not offices:
        return Case.objects.none()
    return Case.objects.filter(Q(office_id__in=offices) | _taken_over_by(offices))


def case_get(user: Any, case_id: Any, perm: Perm = Perm.CASE_VIEW) -> Case:
    try:
        return cases_worked(user, perm).select_related("office").get(pk=case_id)
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


def working_offices(case: Case) -> set[uuid.UUID]:
    """The host office and every office that took the case over."""
    taken = Handover.objects.filter(
        case=case,
        recipient_kind=DataSharingConsent.RecipientKind.ORIGIN_OFFICE,
        acknowledged_at__isnull=False,
    ).values_list("recipient_office_id", flat=True)
    return {case.office_id, *(office for office in taken if office is not None)}


def acting_office(actor: Any, case: Case, *perms: Perm) -> uuid.UUID | None:
    """An office working ``case`` where ``actor`` holds any of ``perms`` (the host office first),
    or None. ``actor`` None (a system task) acts for the host office."""
    if actor is None:
        return case.office_id
    offices = working_offices(case)
    ordered = [case.office_id, *sorted(offices - {case.office_id})]
    for office in ordered:
        if any(has_perm(actor, perm, office) for perm in perms):
            return office
    return None


def require(actor: Any, case: Case, *perms: Perm) -> uuid.UUID:
    """The acting office, or ``PermissionDenied``."""
    office = acting_office(actor, case, *perms)
    if office is None:
        raise PermissionDenied
    return office


def may(actor: Any, case: Case, *perms: Perm) -> bool:
    return acting_office(actor, case, *perms) is not None
