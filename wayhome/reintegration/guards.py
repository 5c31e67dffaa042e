"""The reintegration side's guards on the case workflow (registered at start-up):

- ``closure_recorded`` (to ``closed`` after arrival): a case is closed with one of the
  Handbook's reasons (``services.case_close`` records it in the same transaction).
- ``reopening`` (from ``closed`` back to where it was): a programme manager of an office working
  the case, with a reason, to the status the case was closed from.
- ``plan_approved`` (to ``reintegration_assistance``): assistance follows an approved plan.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from wayhome.accounts.permissions import Perm
from wayhome.cases.workflow import POST_ARRIVAL, Context, Status, Unmet, guards
from wayhome.reintegration import access
from wayhome.reintegration.models import Closure, Plan


@guards.register(Status.CLOSED, "closure_recorded")
def closure_recorded(context: Context) -> Iterator[Unmet]:
    if context.source not in POST_ARRIVAL:
        return
    if not Closure.objects.filter(case=context.case, reopened_at__isnull=True).exists():
        yield Unmet(
            "closure_reason",
            _("Close the case from its reintegration page, with the reason for closing it."),
        )


@guards.register(POST_ARRIVAL, "reopening")
def reopening(context: Context) -> Iterator[Unmet]:
    if context.source != Status.CLOSED:
        return
    closure = Closure.objects.filter(case=context.case, reopened_at__isnull=True).first()
    if closure is None or closure.closed_from != context.target:
        yield Unmet(
            "reopen_target",
            _("A closed case is reopened where it was when it was closed."),
        )
    if context.actor is not None and not access.may(context.actor, context.case, Perm.CASE_APPROVE):
        yield Unmet("reopen_manager", _("Only a programme manager reopens a case."))
    if not context.reason.strip():
        yield Unmet("reopen_reason", _("Give the reason for reopening the case."))


@guards.register(Status.REINTEGRATION_ASSISTANCE, "plan_approved")
def plan_approved(context: Context) -> Iterator[Unmet]:
    if not Plan.objects.filter(case=context.case, approvals__isnull=False).exists():
        yield Unmet("plan_approved", _("Assistance starts once a reintegration plan is approved."))
