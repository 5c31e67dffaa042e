"""Bulk-access alerts, raised as the audit trail records the accesses (``audit.watchers``).

- **Records**: a user who opens ``ACCESS_ALERT_RECORDS`` different person records (a person, a
  case, a photo, an assessment's details, a referral or hand-over package: ``RECORD_ACTIONS``)
  within ``ACCESS_ALERT_MINUTES`` minutes.
- **Exports**: a user who asks for ``ACCESS_ALERT_EXPORTS`` exports (case lists, microdata
  releases) within ``ACCESS_ALERT_EXPORT_HOURS`` hours.

The alert fires when the count reaches the threshold (the threshold-th record, not one before);
while it stays open and the accesses go on within the window, the same alert is brought up to
date instead of a new one being raised. Its data protection officers (of every office whose
records were counted) get an e-mail that says only that an alert is waiting.

Counting is one indexed query on the user's recent events (``audit_event_actor_time``), run
only for the watched actions.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from wayhome.accounts.models import Office, RoleGrant
from wayhome.audit import watchers
from wayhome.audit.models import AuditEvent
from wayhome.protection.models import AccessAlert

#: Opening one person's record: what counts towards the records threshold.
RECORD_ACTIONS = frozenset(
    {
        "person.view",
        "person.photo_view",
        "case.view",
        "assessments.details_view",
        "reintegration.referral_view",
        "movements.handover_view",
        "protection.subject_access",
    }
)
#: Asking for a file of many people's data.
EXPORT_ACTIONS = frozenset({"export.create", "reporting.microdata_download"})


def _now() -> datetime.datetime:
    return timezone.now()


def _raise_or_update(
    *,
    user_id: uuid.UUID,
    kind: str,
    count: int,
    threshold: int,
    window: datetime.timedelta,
    first_at: datetime.datetime,
    office_ids: set[uuid.UUID],
) -> AccessAlert:
    now = _now()
    alert = (
        AccessAlert.objects.select_for_update()
        .filter(
            user_id=user_id, kind=kind, status=AccessAlert.Status.OPEN, last_at__gte=now - window
        )
        .order_by("-last_at")
        .first()
    )
    offices = list(Office.objects.filter(pk__in=office_ids))
    if alert is not None:
        alert.count = max(alert.count, count)
        alert.last_at = now
        alert.version += 1
        alert.save(update_fields=["count", "last_at", "version", "updated_at"])
        alert.offices.add(*offices)
        return alert
    alert = AccessAlert.objects.create(
        user_id=user_id,
        kind=kind,
        count=count,
        threshold=threshold,
        window_minutes=int(window.total_seconds() // 60),
        first_at=first_at,
        last_at=now,
    )
    alert.offices.add(*offices)
    from wayhome.protection.tasks import notify_access_alert

    alert_id = str(alert.pk)
    transaction.on_commit(lambda: notify_access_alert.enqueue(alert_id=alert_id))
    return alert


def _user_offices(user_id: uuid.UUID) -> set[uuid.UUID]:
    return set(RoleGrant.objects.filter(user_id=user_id).values_list("office_id", flat=True))


def _check(
    actor_id: uuid.UUID,
    *,
    kind: str,
    actions: frozenset[str],
    threshold: int,
    window: datetime.timedelta,
    distinct_objects: bool,
) -> None:
    """Counts the actor's ``actions`` within ``window`` (different objects, or events) and
    raises or updates an alert of ``kind`` once the count reaches ``threshold``."""
    recent = AuditEvent.objects.filter(
        actor_id=actor_id, action__in=actions, occurred_at__gte=_now() - window
    )
    if distinct_objects:
        count = recent.values("object_type", "object_id").distinct().count()
    else:
        count = recent.count()
    if count < threshold:
        return
    first = recent.order_by("occurred_at").values_list("occurred_at", flat=True).first()
    offices = {o for o in recent.values_list("office_id", flat=True).distinct() if o is not None}
    _raise_or_update(
        user_id=actor_id,
        kind=kind,
        count=count,
        threshold=threshold,
        window=window,
        first_at=first or _now(),
        office_ids=offices or _user_offices(actor_id),
    )


def on_record_opened(actor_id: uuid.UUID | None, action: str, events: list[AuditEvent]) -> None:
    if actor_id is not None:
        _check(
            actor_id,
            kind=AccessAlert.Kind.RECORDS,
            actions=RECORD_ACTIONS,
            threshold=int(settings.ACCESS_ALERT_RECORDS),
            window=datetime.timedelta(minutes=int(settings.ACCESS_ALERT_MINUTES)),
            distinct_objects=True,
        )


def on_export(actor_id: uuid.UUID | None, action: str, events: list[AuditEvent]) -> None:
    if actor_id is not None:
        _check(
            actor_id,
            kind=AccessAlert.Kind.EXPORTS,
            actions=EXPORT_ACTIONS,
            threshold=int(settings.ACCESS_ALERT_EXPORTS),
            window=datetime.timedelta(hours=int(settings.ACCESS_ALERT_EXPORT_HOURS)),
            distinct_objects=False,
        )


def register() -> None:
    watchers.watch(RECORD_ACTIONS, on_record_opened)
    watchers.watch(EXPORT_ACTIONS, on_export)
