"""``manage.py audit_verify`` names the first broken event after any tampering."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from tests.audit import tamper
from tests.audit.factories import record_events
from wayhome.audit.models import AuditHead

pytestmark = pytest.mark.django_db

EVENTS = 6


def verify() -> str:
    out = StringIO()
    call_command("audit_verify", "--batch-size", "2", stdout=out)
    return out.getvalue()


def verify_fails() -> str:
    with pytest.raises(CommandError) as failure:
        verify()
    return str(failure.value)


def test_an_intact_chain_is_verified() -> None:
    record_events(EVENTS)
    assert verify().strip() == f"{EVENTS} events verified, chain intact"


def test_an_empty_trail_is_intact() -> None:
    assert verify().strip() == "0 events verified, chain intact"


def test_the_command_exits_non_zero() -> None:
    record_events(EVENTS)
    tamper.alter(3, "action")
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", "audit_verify"]).execute()
    assert exit_.value.code == 1


@pytest.mark.parametrize(
    "field",
    [
        "action",
        "object_id",
        "actor_id",
        "occurred_at",
        "details",
        "request_id",
        "hash",
        "prev_hash",
    ],
)
@pytest.mark.parametrize("position", [1, 4, EVENTS])
def test_altering_one_field_names_the_event(field: str, position: int) -> None:
    record_events(EVENTS)
    tamper.alter(position, field)
    assert verify_fails().startswith(f"audit event #{position}: ")


@pytest.mark.parametrize("renumber", [True, False])
@pytest.mark.parametrize("position", [1, 3])
def test_a_forged_event_in_the_middle_is_named(position: int, renumber: bool) -> None:
    record_events(EVENTS)
    if renumber:
        tamper.insert_forged(position, renumber=True)
    else:
        # Without renumbering, the forged event takes the place of the one the forger removes.
        tamper.delete(position)
        tamper.insert_forged(position, renumber=False)
    message = verify_fails()
    assert message.startswith(f"audit event #{position}: content altered or forged")


def test_a_forged_event_after_the_end_is_named() -> None:
    record_events(EVENTS)
    tamper.insert_forged(EVENTS + 1, renumber=False)
    assert verify_fails().startswith(f"audit event #{EVENTS + 1}: ")


@pytest.mark.parametrize("renumber", [True, False])
@pytest.mark.parametrize("position", [1, 3, EVENTS - 1])
def test_deleting_an_event_in_the_middle_is_named(position: int, renumber: bool) -> None:
    record_events(EVENTS)
    tamper.delete(position, renumber=renumber)
    message = verify_fails()
    assert message.startswith(f"audit event #{position}: ")
    assert ("does not follow" if renumber else "missing") in message


@pytest.mark.parametrize("rewind_head", [False, True])
def test_deleting_the_newest_event_is_named(rewind_head: bool) -> None:
    record_events(EVENTS)
    tamper.delete_newest(rewind_head=rewind_head)
    # Rewound, the tip points at the event before; its MAC no longer matches.
    expected = EVENTS - 1 if rewind_head else EVENTS
    assert verify_fails().startswith(f"audit event #{expected}: ")


def test_a_removed_head_is_reported() -> None:
    record_events(EVENTS)
    AuditHead.objects.all().delete()
    assert verify_fails().startswith(f"audit event #{EVENTS}: ")


def test_a_bad_batch_size_is_refused() -> None:
    with pytest.raises(CommandError, match="batch-size"):
        call_command("audit_verify", "--batch-size", "0")
