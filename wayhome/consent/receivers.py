"""The withdrawal is recorded however the case reaches ``withdrawn`` (the withdrawal form, the
case page's transition form, the API's transitions endpoint): one rule, one place."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from wayhome.audit.services import audit_record
from wayhome.cases.signals import case_transitioned
from wayhome.cases.workflow import Status
from wayhome.consent.models import Withdrawal


@receiver(case_transitioned, dispatch_uid="consent.record_withdrawal")
def record_withdrawal(
    sender: Any, *, case: Any, source: str, target: str, actor: Any, reason: str, **kwargs: Any
) -> None:
    if target != Status.WITHDRAWN or Withdrawal.objects.filter(case=case).exists():
        return
    withdrawal = Withdrawal(
        case=case, reason=reason, withdrawn_on=timezone.localdate(), recorded_by=actor
    )
    withdrawal.full_clean()
    withdrawal.save(force_insert=True)
    audit_record(
        actor=actor,
        action="consent.withdraw",
        obj=withdrawal,
        office_id=case.office_id,
        details={"from": source},
    )
