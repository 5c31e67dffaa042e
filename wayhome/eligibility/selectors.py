"""Reads about eligibility: rule sets (visible to every signed-in user) and a case's decisions.

``latest_decision(case)`` and ``decision_problems(case)`` are what the case page and the approval
guard use: the latest decision counts only if it is positive (eligible, or overridden) and was
taken under the programme's active rule set on the case as it is now.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from wayhome.cases.workflow import Unmet
from wayhome.eligibility.evaluation import case_basis
from wayhome.eligibility.models import EligibilityDecision, RuleSet


def ruleset_list(programme: str | None = None) -> QuerySet[RuleSet]:
    rulesets = RuleSet.objects.select_related("created_by").order_by("programme", "-version")
    return rulesets.filter(programme=programme) if programme else rulesets


def ruleset_active(programme: str) -> RuleSet | None:
    """The newest version of the programme's rules (the active one), or None."""
    return RuleSet.objects.filter(programme=programme).order_by("-version").first()


def ruleset_get(programme: str, version: int | None = None) -> RuleSet:
    """A version of the programme's rules (the active one when ``version`` is None), or 404."""
    found = ruleset_active(programme) if version is None else None
    if version is not None:
        found = RuleSet.objects.filter(programme=programme, version=version).first()
    if found is None:
        raise Http404
    return found


def decision_list(case: Any) -> QuerySet[EligibilityDecision]:
    return EligibilityDecision.objects.filter(case=case).select_related(
        "ruleset", "decided_by", "overridden_by"
    )


def latest_decision(case: Any) -> EligibilityDecision | None:
    return decision_list(case).first()


def decision_problems(
    case: Any, decision: EligibilityDecision | None = None, *, approver: Any = None
) -> list[Unmet]:
    """Why the case's latest eligibility decision does not allow approval (empty when it does).

    ``decision``: the latest decision, when already read. ``approver``: who approves (the
    manager who overrode the decision may not also approve: see ``services.eligibility_override``).
    """
    if decision is None:
        decision = latest_decision(case)
    if decision is None:
        return [Unmet("eligibility_missing", _("Eligibility has not been decided yet."))]
    problems = []
    if not decision.positive:
        problems.append(
            Unmet(
                "eligibility_negative",
                _("The case was found not eligible, and no programme manager overrode it."),
            )
        )
    active = ruleset_active(case.programme)
    if active is None or decision.ruleset_id != active.pk:
        problems.append(
            Unmet(
                "eligibility_outdated",
                _("The eligibility rules changed since the decision: decide again."),
            )
        )
    elif decision.basis != case_basis(case):
        problems.append(
            Unmet(
                "eligibility_outdated",
                _(
                    "The case changed since the eligibility decision (programme, category, "
                    "destination or travellers): decide again."
                ),
            )
        )
    if (
        approver is not None
        and decision.override
        and decision.positive
        and decision.overridden_by_id == getattr(approver, "pk", None)
    ):
        problems.append(
            Unmet(
                "eligibility_override_approver",
                _("You overrode the eligibility decision: another programme manager must approve."),
            )
        )
    return problems
