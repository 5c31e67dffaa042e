"""Voluntariness as an enforced step: the guard on submitting an application, checked again
at approval (a declaration withdrawn or replaced after submission stops the approval: the
decision must still be voluntary and informed when the return is approved).

Registered from ``ConsentConfig.ready``. The rule of who must show what is in ``rules.py``.
"""

from __future__ import annotations

from collections.abc import Iterable

from wayhome.cases.workflow import Context, Status, Unmet, guards
from wayhome.consent.rules import submission_unmet


@guards.register([Status.APPLICATION_SUBMITTED, Status.APPROVED], "voluntariness")
def every_traveller_is_covered(context: Context) -> Iterable[Unmet]:
    return submission_unmet(context.case)
