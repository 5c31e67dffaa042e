"""The register enforced on the case workflow: at eligibility (``application_submitted``), at
approval, before departure (``ready_to_depart``, ``departed``) and when a case resumes from hold.

A suspension of the case's destination blocks (naming the place and the reason); a case-by-case
restriction blocks until a programme manager of the case's office has allowed the return under
every case-by-case version in force (``RestrictionDecision``). Resuming from hold is blocked only
by a suspension. A suspension that pauses post-arrival services also blocks moving a case into
reintegration assistance or monitoring there (``restriction_post_arrival``).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from wayhome.cases.workflow import PRE_DEPARTURE, Context, Status, Unmet, guards
from wayhome.core.countries import country_name, subdivision_name
from wayhome.safety.models import RestrictionStatus
from wayhome.safety.selectors import decided_versions, restriction_for_case

ENFORCED = frozenset(
    {Status.APPLICATION_SUBMITTED, Status.APPROVED, Status.READY_TO_DEPART, Status.DEPARTED}
)


def place_name(country: str, region: str = "") -> str:
    if region:
        return f"{subdivision_name(region)} ({country_name(country)})"
    return country_name(country)


@guards.register(sorted(ENFORCED | PRE_DEPARTURE), "return_restriction")
def no_restriction_in_the_way(context: Context) -> Iterator[Unmet]:
    enforced = context.target in ENFORCED
    if not enforced and context.source != Status.ON_HOLD:
        return
    case = context.case
    answer = restriction_for_case(case)
    deciding = answer.deciding
    if answer.suspended and deciding is not None:
        yield Unmet(
            "restriction_suspended",
            _("Returns to %(place)s are suspended: %(reason)s")
            % {"place": place_name(deciding.country, deciding.region), "reason": deciding.reason},
        )
        return
    if enforced and answer.case_by_case:
        missing = {v.pk for v in answer.case_by_case} - decided_versions(case)
        if missing and deciding is not None:
            yield Unmet(
                "restriction_case_by_case",
                _(
                    "Returns to %(place)s are decided case by case (%(reason)s): a programme "
                    "manager must allow this return first."
                )
                % {
                    "place": place_name(deciding.country, deciding.region),
                    "reason": deciding.reason,
                },
            )


POST_ARRIVAL = (Status.REINTEGRATION_ASSISTANCE, Status.MONITORING)


@guards.register(list(POST_ARRIVAL), "post_arrival_pause")
def post_arrival_services_not_paused(context: Context) -> Iterator[Unmet]:
    case = context.case
    for entry in restriction_for_case(case).entries:
        if entry.status == RestrictionStatus.SUSPENDED and entry.pauses_post_arrival:
            yield Unmet(
                "restriction_post_arrival",
                _("Post-arrival services in %(place)s are paused: %(reason)s")
                % {"place": place_name(entry.country, entry.region), "reason": entry.reason},
            )
            return
