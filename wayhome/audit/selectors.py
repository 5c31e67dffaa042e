"""Reading the audit trail: only the events of the offices where the reader holds AUDIT_VIEW.

Pages are cut by keyset on ``seq`` (never OFFSET), newest first; each page costs a fixed number of
queries whatever its size: the events, one look-up of the actors' e-mail addresses, and one
``exists`` for the link in the other direction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from wayhome.accounts.models import Office, User
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import AnyUser, OfficePolicy, offices_with
from wayhome.audit.actions import action_label
from wayhome.audit.models import AuditEvent

# ``filter`` only: audit events carry a bare ``office_id`` rather than a foreign key.
audit_event_policy = OfficePolicy(AuditEvent, view=Perm.AUDIT_VIEW, office_path="office_id")


@dataclass(frozen=True)
class EventFilters:
    actor_id: uuid.UUID | None = None
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    office_id: uuid.UUID | None = None
    occurred_from: datetime | None = None  # inclusive
    occurred_before: datetime | None = None  # exclusive


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    actor_email: str
    office_name: str

    @property
    def action_label(self) -> str:
        return action_label(self.event.action)


@dataclass(frozen=True)
class EventPage:
    rows: list[EventRow]
    older_than: int | None  # seq to continue from towards older events, if there are any
    newer_than: int | None  # seq to continue from towards newer events, if there are any


def audit_office_list(*, actor: AnyUser) -> list[Office]:
    """The offices whose trail ``actor`` may read (empty: the page does not exist for them)."""
    return list(Office.objects.filter(pk__in=offices_with(actor, Perm.AUDIT_VIEW)).order_by("name"))


def actor_id_for_email(email: str) -> uuid.UUID | None:
    return User.objects.filter(email__iexact=email.strip()).values_list("pk", flat=True).first()


def event_filter(*, actor: AnyUser, filters: EventFilters) -> QuerySet[AuditEvent]:
    queryset = audit_event_policy.filter(actor)
    if filters.actor_id is not None:
        queryset = queryset.filter(actor_id=filters.actor_id)
    if filters.action:
        queryset = queryset.filter(action=filters.action)
    if filters.object_type:
        queryset = queryset.filter(object_type=filters.object_type)
    if filters.object_id:
        queryset = queryset.filter(object_id=filters.object_id)
    if filters.office_id is not None:
        queryset = queryset.filter(office_id=filters.office_id)
    if filters.occurred_from is not None:
        queryset = queryset.filter(occurred_at__gte=filters.occurred_from)
    if filters.occurred_before is not None:
        queryset = queryset.filter(occurred_at__lt=filters.occurred_before)
    return queryset


def _rows(events: Sequence[AuditEvent], offices: dict[uuid.UUID, str]) -> list[EventRow]:
    actor_ids = {event.actor_id for event in events if event.actor_id is not None}
    emails = (
        dict(User.objects.filter(pk__in=actor_ids).values_list("pk", "email")) if actor_ids else {}
    )
    return [
        EventRow(
            event=event,
            actor_email=emails.get(event.actor_id, str(event.actor_id)) if event.actor_id else "",
            office_name=offices.get(event.office_id, "") if event.office_id else "",
        )
        for event in events
    ]


def event_page(
    *,
    actor: AnyUser,
    filters: EventFilters,
    offices: Sequence[Office],
    size: int,
    before: int | None = None,
    after: int | None = None,
) -> EventPage:
    """One page, newest first: the newest events, those older than ``before`` or newer than
    ``after``. ``offices`` are the reader's audit offices (to name them without a query)."""
    queryset = event_filter(actor=actor, filters=filters).defer("details", "prev_hash", "hash")
    names = {office.pk: office.name for office in offices}
    if after is not None:
        events = list(queryset.filter(seq__gt=after).order_by("seq")[: size + 1])
        newer = len(events) > size
        events = events[:size][::-1]
        older = bool(events) and queryset.filter(seq__lt=events[-1].seq).exists()
    else:
        start = queryset.filter(seq__lt=before) if before is not None else queryset
        events = list(start.order_by("-seq")[: size + 1])
        older = len(events) > size
        events = events[:size]
        newer = bool(events) and before is not None
        newer = newer and queryset.filter(seq__gt=events[0].seq).exists()
    return EventPage(
        rows=_rows(events, names),
        older_than=events[-1].seq if older else None,
        newer_than=events[0].seq if newer else None,
    )


def event_rows(
    *, actor: AnyUser, filters: EventFilters, offices: Sequence[Office], batch_size: int = 1000
) -> Iterator[EventRow]:
    """Every matching event, newest first, read in keyset batches (for exports)."""
    queryset = event_filter(actor=actor, filters=filters).defer("details", "prev_hash", "hash")
    names = {office.pk: office.name for office in offices}
    last: int | None = None
    while True:
        batch = queryset.order_by("-seq")
        if last is not None:
            batch = batch.filter(seq__lt=last)
        events = list(batch[:batch_size])
        yield from _rows(events, names)
        if len(events) < batch_size:
            return
        last = events[-1].seq
