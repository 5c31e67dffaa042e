"""The AVRR case's state machine: statuses, the one table of allowed moves, and guards.

A transition is allowed when it is in ``TRANSITIONS`` and every guard registered for it holds.
Guards are plain functions that look at the case and return the conditions still unmet, each with
a sentence a caseworker understands. Other apps add guards through ``guards.register`` (from
their ``AppConfig.ready``) without editing this module: safety adds "no suspension in force",
movements adds the pre-departure checklist, and so on.

``case_transition`` (in ``services.py``) locks the case, asks ``guards.unmet`` and, when nothing is
unmet, records the change and audits it. A refused move lists every unmet condition at once, so
that the caseworker can fix them all before trying again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    COUNSELLING = "counselling", _("Counselling")
    APPLICATION_SUBMITTED = "application_submitted", _("Application submitted")
    APPROVED = "approved", _("Approved")
    TRAVEL_PREPARATION = "travel_preparation", _("Travel preparation")
    READY_TO_DEPART = "ready_to_depart", _("Ready to depart")
    DEPARTED = "departed", _("Departed")
    ARRIVED = "arrived", _("Arrived")
    REINTEGRATION_PLANNING = "reintegration_planning", _("Reintegration planning")
    REINTEGRATION_ASSISTANCE = "reintegration_assistance", _("Reintegration assistance")
    MONITORING = "monitoring", _("Monitoring")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REJECTED = "rejected", _("Rejected")
    ON_HOLD = "on_hold", _("On hold")


S = Status

# Before departure a migrant may withdraw at any time, and a case may be put on hold.
PRE_DEPARTURE: frozenset[Status] = frozenset(
    {
        S.REGISTERED,
        S.COUNSELLING,
        S.APPLICATION_SUBMITTED,
        S.APPROVED,
        S.TRAVEL_PREPARATION,
        S.READY_TO_DEPART,
    }
)
TERMINAL: frozenset[Status] = frozenset({S.CLOSED, S.WITHDRAWN, S.REJECTED})

_FORWARD: dict[Status, set[Status]] = {
    S.REGISTERED: {S.COUNSELLING, S.REJECTED},
    S.COUNSELLING: {S.APPLICATION_SUBMITTED, S.REJECTED},
    # An application can be sent back for more counselling, approved or rejected.
    S.APPLICATION_SUBMITTED: {S.APPROVED, S.REJECTED, S.COUNSELLING},
    S.APPROVED: {S.TRAVEL_PREPARATION},
    S.TRAVEL_PREPARATION: {S.READY_TO_DEPART},
    # A no-show, or a check that lapsed, returns the case to travel preparation.
    S.READY_TO_DEPART: {S.DEPARTED, S.TRAVEL_PREPARATION},
    S.DEPARTED: {S.ARRIVED},
    S.ARRIVED: {S.REINTEGRATION_PLANNING, S.CLOSED},
    S.REINTEGRATION_PLANNING: {S.REINTEGRATION_ASSISTANCE, S.CLOSED},
    S.REINTEGRATION_ASSISTANCE: {S.MONITORING, S.CLOSED},
    S.MONITORING: {S.CLOSED},
}

#: A case closed after arrival may be reopened where it was (a manager, with a reason: a guard).
POST_ARRIVAL: frozenset[Status] = frozenset(
    {S.ARRIVED, S.REINTEGRATION_PLANNING, S.REINTEGRATION_ASSISTANCE, S.MONITORING}
)


def _table() -> dict[Status, frozenset[Status]]:
    table: dict[Status, set[Status]] = {status: set() for status in Status}
    for source, targets in _FORWARD.items():
        table[source] |= targets
    for source in PRE_DEPARTURE:
        table[source] |= {S.WITHDRAWN, S.ON_HOLD}
    # From on hold, a case resumes where it was (checked by a guard) or is withdrawn/rejected.
    table[S.ON_HOLD] |= set(PRE_DEPARTURE) | {S.WITHDRAWN, S.REJECTED}
    table[S.CLOSED] |= set(POST_ARRIVAL)
    return {status: frozenset(targets) for status, targets in table.items()}


TRANSITIONS: dict[Status, frozenset[Status]] = _table()

#: Who may make a move besides holders of "change case" (and "approve" for approval): operations
#: officers move a case through its journey.
MOVERS: dict[Status, frozenset[str]] = {
    S.TRAVEL_PREPARATION: frozenset({"movement.manage"}),
    S.READY_TO_DEPART: frozenset({"movement.manage"}),
    S.DEPARTED: frozenset({"movement.manage"}),
    S.ARRIVED: frozenset({"movement.manage"}),
    S.REINTEGRATION_PLANNING: frozenset({"reintegration.manage"}),
    S.REINTEGRATION_ASSISTANCE: frozenset({"reintegration.manage"}),
    S.MONITORING: frozenset({"reintegration.manage"}),
}


def allowed_targets(source: str) -> frozenset[Status]:
    return TRANSITIONS.get(Status(source), frozenset())


def is_allowed(source: str, target: str) -> bool:
    return Status(target) in allowed_targets(source)


@dataclass(frozen=True)
class Unmet:
    """A condition that is not met, in words a caseworker understands."""

    code: str
    message: str | Promise
    subject: str = ""  # e.g. the traveller it is about (a display label, never shown in logs)

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": str(self.message), "subject": self.subject}


@dataclass(frozen=True)
class Context:
    """What a guard sees: the case (locked), the target status, who acts, and the reason given."""

    case: Any
    source: Status
    target: Status
    actor: Any
    reason: str = ""


GuardFunction = Callable[[Context], Iterable[Unmet]]


@dataclass
class GuardRegistry:
    """Guards per target status (``None``: every transition). Registered once at start-up."""

    _guards: dict[Status | None, list[tuple[str, GuardFunction]]] = field(default_factory=dict)

    def register(
        self, targets: Iterable[Status] | Status | None, name: str
    ) -> Callable[[GuardFunction], GuardFunction]:
        keys: list[Status | None]
        if targets is None:
            keys = [None]
        elif isinstance(targets, Status):
            keys = [targets]
        else:
            keys = list(targets)

        def decorator(function: GuardFunction) -> GuardFunction:
            for key in keys:
                entries = self._guards.setdefault(key, [])
                if any(existing == name for existing, _ in entries):
                    raise ValueError(f"a guard named {name!r} is already registered for {key}")
                entries.append((name, function))
            return function

        return decorator

    def names_for(self, target: Status) -> list[str]:
        return [name for name, _ in self._guards.get(None, []) + self._guards.get(target, [])]

    def unmet(self, context: Context) -> list[Unmet]:
        """Every unmet condition of every guard for this move (not only the first)."""
        problems: list[Unmet] = []
        if not is_allowed(context.source, context.target):
            problems.append(
                Unmet(
                    "transition_not_allowed",
                    _("A case cannot move from “%(source)s” to “%(target)s”.")
                    % {"source": context.source.label, "target": context.target.label},
                )
            )
            return problems
        for _name, function in self._guards.get(None, []) + self._guards.get(context.target, []):
            problems.extend(function(context))
        return problems


guards = GuardRegistry()
