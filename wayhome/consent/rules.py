"""Who must show what before an application is submitted, member by member.

**Adult or child.** Age is counted on today's date from the person's date of birth:

- with an exact date of birth, a traveller under 18 is a child, anyone else an adult (whatever
  their relationship: a grown-up son travelling with his parents declares for himself);
- with a date of birth known only by its year, or estimated, or unknown, the traveller is an
  adult unless their relationship to the principal is "child". An imprecise date is not enough
  to take someone's voice away; a child recorded as such is protected without a date.

**What covers each traveller** (members not travelling on the case are not checked):

- someone whose latest capacity assessment says they lack capacity: a guardian's or legal
  representative's "agrees" decision, instead of their own declaration;
- a child: a guardian's or legal representative's "agrees" decision;
- for both, no guardian or legal representative whose latest decision is "refuses";
- an adult: at least one information session attended, and a latest voluntariness declaration
  that counts (both conditions attested, the signed form attached, and, in detention, reviewed
  by a second staff member), made on or after the first session attended.

A representative of kind "other" is recorded for information; their decision does not count.
Each unmet condition names its traveller by a display label ("Spouse (2)"), never by name.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.cases.models import Case, CaseMember, Relationship
from wayhome.cases.workflow import Unmet
from wayhome.consent.models import (
    DECIDING_KINDS,
    CapacityAssessment,
    InformationSession,
    LegalRepresentative,
    RepresentativeDecision,
    VoluntarinessDeclaration,
)
from wayhome.people.models import Person

ADULT_AGE = 18


def age_on(born: datetime.date, today: datetime.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def is_child(member: CaseMember, today: datetime.date | None = None) -> bool:
    """The rule in this module's docstring."""
    person = member.person
    born = person.date_of_birth
    if isinstance(born, datetime.date) and person.dob_precision == Person.DobPrecision.EXACT:
        return age_on(born, today or timezone.localdate()) < ADULT_AGE
    return member.relationship == Relationship.CHILD


def member_label(member: CaseMember, position: int) -> str:
    """``Spouse or partner (2)``: the relationship and the position on the case, never a name."""
    return f"{member.get_relationship_display()} ({position})"


@dataclass
class MemberState:
    """Everything recorded about one member's consent, and what is still missing."""

    member: CaseMember
    position: int
    label: str
    child: bool
    sessions: list[InformationSession] = field(default_factory=list)
    declaration: VoluntarinessDeclaration | None = None
    capacity: CapacityAssessment | None = None
    representatives: list[LegalRepresentative] = field(default_factory=list)
    decisions: list[RepresentativeDecision] = field(default_factory=list)  # latest first
    unmet: list[Unmet] = field(default_factory=list)

    @property
    def lacks_capacity(self) -> bool:
        return self.capacity is not None and not self.capacity.has_capacity

    @property
    def needs_representative(self) -> bool:
        return self.child or self.lacks_capacity

    def latest_deciding_decisions(self) -> list[RepresentativeDecision]:
        """The latest decision of each guardian or legal representative."""
        seen: set[object] = set()
        latest = []
        for decision in self.decisions:
            if decision.representative_id in seen:
                continue
            seen.add(decision.representative_id)
            if decision.representative.kind in DECIDING_KINDS:
                latest.append(decision)
        return latest

    @property
    def representative_agrees(self) -> bool:
        latest = self.latest_deciding_decisions()
        agrees = RepresentativeDecision.Decision.AGREES
        return bool(latest) and all(d.decision == agrees for d in latest)


def _unmet_for(state: MemberState) -> list[Unmet]:
    label = state.label
    problems: list[Unmet] = []
    if state.needs_representative:
        latest = state.latest_deciding_decisions()
        refuses = RepresentativeDecision.Decision.REFUSES
        if any(decision.decision == refuses for decision in latest):
            problems.append(
                Unmet(
                    "representative_refuses",
                    _("A guardian or legal representative refuses the return."),
                    label,
                )
            )
        elif not latest:
            if state.lacks_capacity:
                problems.append(
                    Unmet(
                        "representative_decision_missing",
                        _(
                            "Assessed as lacking capacity: a guardian or legal representative "
                            "must agree to the return."
                        ),
                        label,
                    )
                )
            else:
                problems.append(
                    Unmet(
                        "guardian_consent_missing",
                        _("A child: a guardian or legal representative must agree to the return."),
                        label,
                    )
                )
        return problems
    if not state.sessions:
        problems.append(
            Unmet(
                "information_session_missing",
                _("Has not attended an information session."),
                label,
            )
        )
    declaration = state.declaration
    if declaration is None:
        problems.append(
            Unmet("declaration_missing", _("No voluntariness declaration is recorded."), label)
        )
        return problems
    if not declaration.freedom_of_choice:
        problems.append(
            Unmet(
                "freedom_of_choice_not_attested",
                _("The declaration does not attest freedom of choice (no pressure to return)."),
                label,
            )
        )
    if not declaration.informed_decision:
        problems.append(
            Unmet(
                "informed_decision_not_attested",
                _("The declaration does not attest an informed decision."),
                label,
            )
        )
    if not declaration.has_signed_form:
        problems.append(
            Unmet(
                "signed_form_missing",
                _("The signed declaration form is not attached."),
                label,
            )
        )
    if declaration.in_detention and not declaration.detention_reviewed:
        problems.append(
            Unmet(
                "detention_review_missing",
                _(
                    "In detention: a second staff member must review the declaration before it "
                    "counts."
                ),
                label,
            )
        )
    if state.sessions and min(s.held_on for s in state.sessions) > declaration.declared_on:
        problems.append(
            Unmet(
                "declaration_before_session",
                _("The declaration was made before any information session: record it again."),
                label,
            )
        )
    return problems


def member_states(case: Case, today: datetime.date | None = None) -> list[MemberState]:
    """The state of every member of ``case``, in the case's order (a fixed number of queries)."""
    today = today or timezone.localdate()
    members = list(
        CaseMember.objects.filter(case=case)
        .select_related("person")
        .defer("person__photo")
        .order_by("created_at", "id")
    )
    states = {
        m.pk: MemberState(m, i, member_label(m, i), is_child(m, today))
        for i, m in enumerate(members, start=1)
    }
    sessions = InformationSession.objects.filter(case=case).prefetch_related("attendees")
    for session in sessions:
        for attendee in session.attendees.all():
            if attendee.pk in states:
                states[attendee.pk].sessions.append(session)
    declarations = VoluntarinessDeclaration.objects.filter(member__case=case).defer("signed_form")
    for declaration in declarations:  # latest first
        state = states.get(declaration.member_id)
        if state is not None and state.declaration is None:
            state.declaration = declaration
    for assessment in CapacityAssessment.objects.filter(member__case=case):
        state = states.get(assessment.member_id)
        if state is not None and state.capacity is None:
            state.capacity = assessment
    for representative in LegalRepresentative.objects.filter(member__case=case):
        if representative.member_id in states:
            states[representative.member_id].representatives.append(representative)
    decisions = (
        RepresentativeDecision.objects.filter(member__case=case)
        .select_related("representative")
        .defer("signed_form")
    )
    for decision in decisions:
        if decision.member_id in states:
            states[decision.member_id].decisions.append(decision)
    result = list(states.values())
    for state in result:
        state.unmet = _unmet_for(state)
    return result


def submission_unmet(case: Case, today: datetime.date | None = None) -> list[Unmet]:
    """Every unmet consent condition of the case's travellers."""
    states = member_states(case, today)
    travellers = [state for state in states if state.member.travelling]
    if not travellers:
        return [Unmet("no_traveller", _("Nobody on the case is travelling."))]
    return [unmet for state in travellers for unmet in state.unmet]
