"""The transition table and the guard registry, without a database."""

from __future__ import annotations

from collections import deque

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wayhome.cases.workflow import (
    POST_ARRIVAL,
    PRE_DEPARTURE,
    TERMINAL,
    TRANSITIONS,
    Context,
    GuardRegistry,
    Status,
    Unmet,
    is_allowed,
)

statuses = st.sampled_from(list(Status))


def _reachable(start: Status, *, avoiding: Status | None = None) -> set[Status]:
    seen = {start}
    queue = deque([start])
    while queue:
        for target in TRANSITIONS[queue.popleft()]:
            if target not in seen and target != avoiding:
                seen.add(target)
                queue.append(target)
    return seen


def test_every_status_has_a_row() -> None:
    assert set(TRANSITIONS) == set(Status)


def test_terminal_statuses_have_no_exit_but_a_closed_case_can_be_reopened() -> None:
    for status in TERMINAL - {Status.CLOSED}:
        assert TRANSITIONS[status] == frozenset()
    # Reopening (a manager with a reason, guarded by the reintegration app) goes back to where
    # the case was closed from: after arrival only.
    assert TRANSITIONS[Status.CLOSED] == POST_ARRIVAL
    assert not POST_ARRIVAL & (PRE_DEPARTURE | TERMINAL)


@given(statuses)
def test_every_status_can_end(status: Status) -> None:
    assert _reachable(status) & TERMINAL


def test_withdrawal_is_possible_before_departure_and_not_after() -> None:
    for status in Status:
        assert is_allowed(status, Status.WITHDRAWN) == (
            status in PRE_DEPARTURE or status == Status.ON_HOLD
        )


def test_approval_only_follows_a_submitted_application() -> None:
    # From on hold a case may only resume the status it held (a guard of the cases app checks
    # it against the recorded history), so these are the only ways in:
    predecessors = {s for s, targets in TRANSITIONS.items() if Status.APPROVED in targets}
    assert predecessors == {Status.APPLICATION_SUBMITTED, Status.ON_HOLD}


def test_departure_only_from_ready_to_depart() -> None:
    predecessors = {s for s, targets in TRANSITIONS.items() if Status.DEPARTED in targets}
    assert predecessors == {Status.READY_TO_DEPART}


def test_registry_lists_every_unmet_condition_in_order() -> None:
    registry = GuardRegistry()

    @registry.register(Status.COUNSELLING, "first")
    def first(context: Context) -> list[Unmet]:
        return [Unmet("a", "A is missing")]

    @registry.register(None, "always")
    def always(context: Context) -> list[Unmet]:
        return [Unmet("b", "B is missing")]

    context = Context(case=None, source=Status.REGISTERED, target=Status.COUNSELLING, actor=None)
    assert [u.code for u in registry.unmet(context)] == ["b", "a"]
    assert registry.names_for(Status.COUNSELLING) == ["always", "first"]


def test_registry_refuses_a_move_outside_the_table_before_asking_guards() -> None:
    registry = GuardRegistry()
    asked: list[str] = []

    @registry.register(None, "spy")
    def spy(context: Context) -> list[Unmet]:
        asked.append("spy")
        return []

    context = Context(case=None, source=Status.REGISTERED, target=Status.DEPARTED, actor=None)
    assert [u.code for u in registry.unmet(context)] == ["transition_not_allowed"]
    assert asked == []


def test_registry_refuses_a_duplicate_guard_name() -> None:
    registry = GuardRegistry()
    registry.register(Status.APPROVED, "same")(lambda context: [])
    with pytest.raises(ValueError, match="already registered"):
        registry.register(Status.APPROVED, "same")(lambda context: [])
