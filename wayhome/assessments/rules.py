"""What each traveller's flags make mandatory, member by member (the guards and the pages share
this, so that a refusal and the "what is missing" panel never disagree).

For the flags of a traveller's screening in force (the latest recorded):

The conditions "before approval" are checked again before ``ready_to_depart`` (a flag added by a
rescreening after approval still stops the departure).

- ``unaccompanied_or_separated_child``: before approval, a best-interests determination
  (panel, guardian, family assessment, reception arrangement, supervised travel) recommending
  return; a BID recommending "do not return" or "defer" blocks;
- ``victim_of_trafficking``: before approval, a trafficking assessment (with the risk of
  re-trafficking) and informed consent, with the right to decline explained, at each step up to
  the return (``STEPS_BEFORE_APPROVAL``); a refusal at a step blocks;
- ``physical_health_needs`` / ``mental_health_needs``: before approval, a medical assessment
  (escort decision, receiving provider); before ``ready_to_depart``, a fitness-to-travel check
  finding the person fit, valid on the day.

Members not travelling are not checked. Each unmet condition names its traveller by a display
label ("Child (3)"), never by name.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.assessments.models import (
    HEALTH_FLAGS,
    STEPS_BEFORE_APPROVAL,
    Assessment,
    Flag,
    Kind,
    Recommendation,
    Screening,
    Step,
    StepConsent,
)
from wayhome.cases.models import Case, CaseMember
from wayhome.cases.workflow import Unmet
from wayhome.consent.rules import member_label


@dataclass
class MemberSafety:
    member: CaseMember
    label: str
    screening: Screening | None = None
    screenings: int = 0
    assessments: dict[str, Assessment] = field(default_factory=dict)  # kind -> latest
    history: list[Assessment] = field(default_factory=list)  # all, latest first
    consents: dict[str, StepConsent] = field(default_factory=dict)  # step -> latest
    before_approval: list[Unmet] = field(default_factory=list)
    before_departure: list[Unmet] = field(default_factory=list)

    @property
    def flags(self) -> list[str]:
        return list(self.screening.flags) if self.screening else []

    @property
    def flag_labels(self) -> list[str]:
        return self.screening.flag_labels() if self.screening else []

    @property
    def unmet(self) -> list[Unmet]:
        return [*self.before_approval, *self.before_departure]


def _approval_unmet(state: MemberSafety) -> list[Unmet]:
    label, flags, latest = state.label, set(state.flags), state.assessments
    problems: list[Unmet] = []
    if Flag.UNACCOMPANIED_OR_SEPARATED_CHILD in flags:
        bid = latest.get(Kind.BID)
        if bid is None:
            problems.append(
                Unmet(
                    "bid_missing",
                    _(
                        "An unaccompanied or separated child: a best-interests determination "
                        "must recommend return."
                    ),
                    label,
                )
            )
        elif bid.recommendation != Recommendation.RETURN:
            problems.append(
                Unmet(
                    "bid_not_return",
                    _("The best-interests determination does not recommend return."),
                    label,
                )
            )
    if Flag.VICTIM_OF_TRAFFICKING in flags:
        if Kind.TRAFFICKING not in latest:
            problems.append(
                Unmet(
                    "trafficking_assessment_missing",
                    _(
                        "A victim of trafficking: a specialised assessment, including the risk "
                        "of re-trafficking, is needed."
                    ),
                    label,
                )
            )
        for step in STEPS_BEFORE_APPROVAL:
            consent = state.consents.get(step)
            step_label = Step(step).label
            if consent is not None and not consent.consents:
                problems.append(
                    Unmet(
                        "trafficking_assistance_declined",
                        _("Declined assistance at the step “%(step)s”.") % {"step": step_label},
                        label,
                    )
                )
            elif consent is None or not consent.counts:
                problems.append(
                    Unmet(
                        "trafficking_consent_missing",
                        _(
                            "No informed consent, with the right to decline explained, is "
                            "recorded for the step “%(step)s”."
                        )
                        % {"step": step_label},
                        label,
                    )
                )
    if flags & HEALTH_FLAGS and Kind.MEDICAL not in latest:
        problems.append(
            Unmet(
                "medical_assessment_missing",
                _(
                    "Health needs: a medical assessment (escort decision, receiving provider) "
                    "is needed."
                ),
                label,
            )
        )
    return problems


def _departure_unmet(state: MemberSafety, today: datetime.date) -> list[Unmet]:
    """Health needs require a fitness check; a check recorded for anyone else counts too (a
    person found unfit does not travel, whatever their flags)."""
    check = state.assessments.get(Kind.FITNESS)
    if not set(state.flags) & HEALTH_FLAGS and check is None:
        return []
    if check is None:
        message = _("Health needs: a fitness-to-travel check is needed before departure.")
        return [Unmet("fitness_missing", message, state.label)]
    if not check.fit_to_travel:
        message = _("The latest fitness-to-travel check found the person not fit to travel.")
        return [Unmet("not_fit_to_travel", message, state.label)]
    if check.valid_until is None or check.valid_until < today:
        message = _("The fitness-to-travel check has expired: a new check is needed.")
        return [Unmet("fitness_expired", message, state.label)]
    return []


def member_safety(case: Case, today: datetime.date | None = None) -> list[MemberSafety]:
    """The state of every member of ``case``, in the case's order (a fixed number of queries)."""
    today = today or timezone.localdate()
    members = list(
        CaseMember.objects.filter(case=case)
        .select_related("person")
        .defer("person__photo")
        .order_by("created_at", "id")
    )
    states = {m.pk: MemberSafety(m, member_label(m, i)) for i, m in enumerate(members, start=1)}
    for screening in Screening.objects.filter(member__case=case).defer("notes"):
        state = states[screening.member_id]
        state.screenings += 1
        if state.screening is None:
            state.screening = screening
    for assessment in Assessment.objects.filter(member__case=case):
        state = states[assessment.member_id]
        state.history.append(assessment)
        state.assessments.setdefault(assessment.kind, assessment)
    for consent in StepConsent.objects.filter(member__case=case):
        states[consent.member_id].consents.setdefault(consent.step, consent)
    for state in states.values():
        if state.member.travelling:
            state.before_approval = _approval_unmet(state)
            state.before_departure = _departure_unmet(state, today)
    return list(states.values())
