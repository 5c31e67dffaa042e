"""The approval guard: a case is approved only on a positive eligibility decision.

Policy: the case's *latest* decision counts, and it must be positive (eligible, or not eligible and
overridden by a programme manager). It must have been taken under the programme's active rule set:
when the rules get a newer version, or when the case's programme, category, destination or
travellers change after the decision, it must be taken again (``eligibility_outdated``). The
manager who overrode the decision may not also approve (``eligibility_override_approver``).
Unmet codes: ``eligibility_missing``, ``eligibility_negative``, ``eligibility_outdated``,
``eligibility_override_approver``.
"""

from __future__ import annotations

from collections.abc import Iterator

from wayhome.cases.workflow import Context, Status, Unmet, guards
from wayhome.eligibility.selectors import decision_problems


@guards.register(Status.APPROVED, "eligibility")
def a_positive_eligibility_decision(context: Context) -> Iterator[Unmet]:
    yield from decision_problems(context.case, approver=context.actor)
