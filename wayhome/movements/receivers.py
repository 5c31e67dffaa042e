"""A case that will not travel frees its seats: withdrawn or rejected, its bookings that still
stand are cancelled."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from wayhome.cases.signals import case_transitioned
from wayhome.cases.workflow import Status
from wayhome.movements.services import cancel_open_bookings


@receiver(case_transitioned, dispatch_uid="movements.cancel_bookings")
def cancel_bookings(
    sender: Any, *, case: Any, source: str, target: str, actor: Any, reason: str, **kwargs: Any
) -> None:
    if target in (Status.WITHDRAWN, Status.REJECTED):
        cancel_open_bookings(case, reason)
