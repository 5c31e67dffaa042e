"""Partner users' API (``/api/v1/partner``): the referrals sent to their organisation, with only
the fields the office shared, and their answers and reports (accept, decline with the reason,
progress, completion).

A partner user is a member of a ``Partner`` (``Partner.users``) and holds no permission in any
office: they see the referrals to their organisations (never a revoked one) and nothing else.
Any other referral, or any referral to someone else, answers 404. Every read of a referral is
audited in the trail of the office that sent it. Their API token is made on the tokens page
like anyone's.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Router
from ninja.pagination import paginate

from wayhome.api.errors import run_service
from wayhome.api.fields import api_user
from wayhome.core.paging import CappedLimitOffset
from wayhome.reintegration import selectors, services
from wayhome.reintegration.api import ERRORS
from wayhome.reintegration.models import Referral
from wayhome.reintegration.partner_views import referral_viewed
from wayhome.reintegration.schemas import (
    PartnerReferralNoteIn,
    PartnerReferralOut,
    PartnerReferralProgressIn,
    PartnerReferralReasonIn,
    PartnerReferralSummaryOut,
)

router = Router(tags=["partner"])


def _report(request: HttpRequest, referral_id: uuid.UUID, move: str, note: str) -> Referral:
    user = api_user(request)
    referral = selectors.partner_referral_get(user, referral_id)

    def report() -> Referral:
        try:
            return services.referral_report(actor=user, referral=referral, move=move, note=note)
        except PermissionDenied:  # no longer a member, or the partner was deactivated meanwhile
            raise Http404 from None

    run_service(report)
    return selectors.partner_referral_get(user, referral_id)


@router.get(
    "/referrals",
    response=list[PartnerReferralSummaryOut],
    summary="What was referred to your organisation, latest first (never a revoked referral)",
)
@paginate(CappedLimitOffset)
def list_referrals(request: HttpRequest) -> QuerySet[Referral]:
    """Paged with ``limit`` and ``offset``. No names: open one to read what was shared."""
    return selectors.partner_referrals(api_user(request))


@router.get(
    "/referrals/{referral_id}",
    response={200: PartnerReferralOut, **ERRORS},
    summary="A referral: what the office shared with you, and its updates",
)
def get_referral(request: HttpRequest, referral_id: uuid.UUID) -> Any:
    """Only the fields the office chose to share. Each read is audited."""
    user = api_user(request)
    referral = selectors.partner_referral_get(user, referral_id)
    referral_viewed(user, referral)
    return referral


@router.post(
    "/referrals/{referral_id}/accept",
    response={200: PartnerReferralOut, **ERRORS},
    summary="Accept a referral",
)
def accept_referral(
    request: HttpRequest, referral_id: uuid.UUID, payload: PartnerReferralNoteIn
) -> Any:
    """While it waits for your answer (else 422 ``wrong_status``)."""
    return _report(request, referral_id, "accept", payload.note)


@router.post(
    "/referrals/{referral_id}/decline",
    response={200: PartnerReferralOut, **ERRORS},
    summary="Decline a referral, saying why",
)
def decline_referral(
    request: HttpRequest, referral_id: uuid.UUID, payload: PartnerReferralReasonIn
) -> Any:
    """While it waits for your answer (else 422 ``wrong_status``)."""
    return _report(request, referral_id, "decline", payload.reason)


@router.post(
    "/referrals/{referral_id}/progress",
    response={200: PartnerReferralOut, **ERRORS},
    summary="Report progress on an accepted referral",
)
def report_progress(
    request: HttpRequest, referral_id: uuid.UUID, payload: PartnerReferralProgressIn
) -> Any:
    return _report(request, referral_id, "progress", payload.note)


@router.post(
    "/referrals/{referral_id}/complete",
    response={200: PartnerReferralOut, **ERRORS},
    summary="Report that the assistance referred was completed",
)
def complete_referral(
    request: HttpRequest, referral_id: uuid.UUID, payload: PartnerReferralNoteIn
) -> Any:
    return _report(request, referral_id, "complete", payload.note)
