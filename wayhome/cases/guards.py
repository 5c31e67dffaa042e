"""The case's own guards: segregation of duties at approval, resuming from hold, and reasons
where a decision needs one. Voluntariness and eligibility register theirs from their apps."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm
from wayhome.cases.workflow import PRE_DEPARTURE, Context, Status, Unmet, guards


@guards.register(Status.APPROVED, "approver")
def approver_is_a_manager_other_than_the_submitter(context: Context) -> Iterator[Unmet]:
    case, actor = context.case, context.actor
    if actor is None or not has_perm(actor, Perm.CASE_APPROVE, case.office_id):
        yield Unmet("approver_role", _("Only a programme manager of the office can approve."))
    if actor is not None and case.submitted_by_id is not None and case.submitted_by_id == actor.pk:
        yield Unmet(
            "self_approval",
            _("You submitted this application: another programme manager must approve it."),
        )


@guards.register([Status.WITHDRAWN, Status.REJECTED, Status.ON_HOLD], "reason")
def a_reason_is_given(context: Context) -> Iterator[Unmet]:
    if not context.reason.strip():
        yield Unmet("reason_required", _("Give the reason for this decision."))


@guards.register(list(PRE_DEPARTURE), "resume")
def resume_where_it_was(context: Context) -> Iterator[Unmet]:
    case = context.case
    if context.source == Status.ON_HOLD and case.held_from and context.target != case.held_from:
        yield Unmet(
            "resume_elsewhere",
            _("A case on hold resumes at the step where it was put on hold."),
        )
