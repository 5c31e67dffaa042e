"""The mandatory safeguards triggered by vulnerability flags, as workflow guards (registered
from ``AssessmentsConfig.ready``). The rules are in ``rules.py``."""

from __future__ import annotations

from collections.abc import Iterable

from wayhome.assessments.rules import member_safety
from wayhome.cases.workflow import Context, Status, Unmet, guards


@guards.register([Status.APPROVED, Status.READY_TO_DEPART], "vulnerability_safeguards")
def safeguards_before_approval(context: Context) -> Iterable[Unmet]:
    return [item for state in member_safety(context.case) for item in state.before_approval]


@guards.register(Status.READY_TO_DEPART, "fit_to_travel")
def fit_to_travel_before_departure(context: Context) -> Iterable[Unmet]:
    return [item for state in member_safety(context.case) for item in state.before_departure]
