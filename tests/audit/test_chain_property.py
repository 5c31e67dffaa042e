"""Property: whatever the trail and whatever single tampering, verification fails exactly there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.audit import tamper
from wayhome.audit.chain import chain_verify
from wayhome.audit.services import audit_record

pytestmark = pytest.mark.django_db

FIELDS = [
    "action",
    "object_id",
    "actor_id",
    "occurred_at",
    "details",
    "request_id",
    "hash",
    "prev_hash",
]

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz._", min_size=1, max_size=20)
event_strategy = st.fixed_dictionaries(
    {
        "action": names,
        "object_type": names,
        "object_id": st.text(alphabet="0123456789abcdef-", max_size=36),
        "details": st.dictionaries(
            names, st.one_of(st.integers(-(10**6), 10**6), names, st.booleans()), max_size=3
        ),
    }
)


@dataclass(frozen=True)
class Tamper:
    kind: str
    position: int
    field: str = ""
    renumber: bool = False


@st.composite
def trail_and_tamper(draw: st.DrawFn) -> tuple[list[dict[str, Any]], Tamper, int]:
    events = draw(st.lists(event_strategy, min_size=1, max_size=8))
    count = len(events)
    kind = draw(st.sampled_from(["alter", "insert", "delete", "delete_newest"]))
    if kind == "alter":
        position = draw(st.integers(1, count))
        return events, Tamper(kind, position, field=draw(st.sampled_from(FIELDS))), position
    if kind == "insert":
        position = draw(st.integers(1, count + 1))
        renumber = position <= count and draw(st.booleans())
        if position <= count and not renumber:  # takes the place of a removed event
            return events, Tamper("replace", position), position
        return events, Tamper(kind, position, renumber=renumber), position
    if kind == "delete" and count > 1:
        position = draw(st.integers(1, count - 1))
        return events, Tamper(kind, position, renumber=draw(st.booleans())), position
    return events, Tamper("delete_newest", count), count


def apply(change: Tamper) -> None:
    if change.kind == "alter":
        tamper.alter(change.position, change.field)
    elif change.kind == "insert":
        tamper.insert_forged(change.position, renumber=change.renumber)
    elif change.kind == "replace":
        tamper.delete(change.position)
        tamper.insert_forged(change.position, renumber=False)
    elif change.kind == "delete":
        tamper.delete(change.position, renumber=change.renumber)
    else:
        tamper.delete_newest(rewind_head=False)


@settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(case=trail_and_tamper())
def test_a_single_tampering_breaks_the_chain_at_its_position(
    case: tuple[list[dict[str, Any]], Tamper, int],
) -> None:
    events, change, expected = case
    with transaction.atomic():
        for event in events:
            audit_record(actor=None, **event)
        assert chain_verify(batch_size=3) == (len(events), None)
        apply(change)
        checked, broken = chain_verify(batch_size=3)
        assert broken is not None, change
        assert broken.seq == expected, (change, broken)
        assert checked == expected - 1
        transaction.set_rollback(True)
