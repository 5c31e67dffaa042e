"""Referrals end with what allowed them: a revoked consent, a closed, withdrawn or rejected case.
And a reopened case's closure records who reopened it and why."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from wayhome.cases.models import Case
from wayhome.cases.signals import case_transitioned
from wayhome.cases.workflow import Status
from wayhome.consent.models import DataSharingConsent
from wayhome.consent.signals import sharing_consent_revoked
from wayhome.reintegration.models import OPEN_REFERRAL, Closure, Referral
from wayhome.reintegration.services import revoke_referrals


@receiver(case_transitioned, sender=Case, dispatch_uid="reintegration.case_transitioned")
def _on_transition(
    sender: Any, case: Case, source: str, target: str, actor: Any, reason: str, **kwargs: Any
) -> None:
    if target in (Status.CLOSED, Status.WITHDRAWN, Status.REJECTED):
        revoke_referrals(
            Referral.objects.select_for_update().filter(case=case, status__in=OPEN_REFERRAL),
            note=f"case {target}",
        )
    if source == Status.CLOSED:
        closure = Closure.objects.filter(case=case, reopened_at__isnull=True).first()
        if closure is not None:
            closure.reopened_at = timezone.now()
            closure.reopened_by = actor
            closure.reopen_reason = reason
            closure.version += 1
            closure.save()


@receiver(
    sharing_consent_revoked,
    sender=DataSharingConsent,
    dispatch_uid="reintegration.sharing_consent_revoked",
)
def _on_consent_revoked(
    sender: Any, consent: DataSharingConsent, actor: Any, **kwargs: Any
) -> None:
    if consent.recipient_kind != DataSharingConsent.RecipientKind.PARTNER:
        return
    name = " ".join(consent.recipient_name.split()).casefold()
    ids = set(
        Referral.objects.filter(
            members__person_id=consent.person_id, status__in=OPEN_REFERRAL
        ).values_list("pk", flat=True)
    )
    candidates = Referral.objects.select_for_update().filter(pk__in=ids).select_related("partner")
    revoke_referrals(
        [r for r in candidates if " ".join(r.partner.name.split()).casefold() == name],
        note="consent revoked",
    )
