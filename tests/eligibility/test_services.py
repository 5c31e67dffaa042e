"""Rule-set versions, decisions, overrides and the approval guard."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.conftest import Personas
from tests.consent.factories import cover_travellers
from tests.eligibility.factories import an_admin, new_rules
from tests.factories import UserFactory
from tests.people.factories import PersonFactory
from wayhome.accounts.permissions import Role
from wayhome.audit.models import AuditEvent
from wayhome.cases.models import Case, CaseTransition, Relationship
from wayhome.cases.services import TransitionBlocked, case_transition, case_update
from wayhome.cases.workflow import Status
from wayhome.eligibility.evaluation import case_facts
from wayhome.eligibility.models import EligibilityDecision, RuleSet
from wayhome.eligibility.selectors import latest_decision, ruleset_active
from wayhome.eligibility.services import (
    eligibility_decide,
    eligibility_override,
    ruleset_create,
)
from wayhome.people.models import IdentityDocument

pytestmark = pytest.mark.django_db

ONLY_IRREGULAR = {"allowed_categories": {"categories": ["irregular"]}}


def submitted(case: Case, by: object) -> Case:
    """The case as if its application had been submitted by ``by``, its travellers covered
    (voluntariness holds at approval too; its guard is tested with consent)."""
    cover_travellers(by, case)
    case.status = Status.APPLICATION_SUBMITTED
    case.submitted_by = by  # type: ignore[assignment]
    case.save()
    return case


def test_version_one_exists_for_every_programme() -> None:
    active = {p: ruleset_active(p) for p in ("AVR", "AVRR", "VHR")}
    assert {p: r.version for p, r in active.items() if r} == {"AVR": 1, "AVRR": 1, "VHR": 1}
    assert active["AVRR"] is not None
    assert active["AVRR"].rules["excluded_categories"] == {"categories": ["regular"]}


def test_an_edit_makes_a_new_version_and_old_decisions_keep_theirs(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    first = eligibility_decide(actor=personas.caseworker_a, case=case)
    version_one = first.ruleset
    admin = an_admin()
    version_two = ruleset_create(
        actor=admin, programme="AVRR", rules=ONLY_IRREGULAR, note="Irregular migrants only"
    )
    assert version_two.version == 2
    assert ruleset_active("AVRR") == version_two
    version_one.refresh_from_db()
    assert version_one.rules["not_assisted_within_years"] == {"years": 5}  # unchanged
    first.refresh_from_db()
    assert first.ruleset == version_one
    assert RuleSet.objects.filter(programme="AVRR").count() == 2
    event = AuditEvent.objects.get(action="eligibility.rules_change")
    assert event.details == {"programme": "AVRR", "version": 2}


def test_only_administrators_change_rules_and_bad_rules_save_nothing(personas: Personas) -> None:
    for user in (personas.manager_a, personas.caseworker_a, personas.auditor_a):
        with pytest.raises(PermissionDenied):
            ruleset_create(actor=user, programme="AVR", rules=ONLY_IRREGULAR, note="x")
    admin = an_admin()
    with pytest.raises(ValidationError) as bad:
        ruleset_create(
            actor=admin,
            programme="AVR",
            rules={"not_assisted_within_years": {"years": 99}},
            note="",
        )
    assert "note" in bad.value.message_dict
    with pytest.raises(ValidationError) as bad:
        ruleset_create(
            actor=admin,
            programme="AVR",
            rules={"not_assisted_within_years": {"years": 99}},
            note="n",
        )
    assert "not_assisted_within_years.years" in bad.value.message_dict
    with pytest.raises(ValidationError) as bad:
        ruleset_create(actor=admin, programme="XYZ", rules=ONLY_IRREGULAR, note="n")
    assert "programme" in bad.value.message_dict
    assert RuleSet.objects.filter(programme="AVR").count() == 1


def test_a_decision_records_each_rule_and_the_version(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a, category="regular")
    decision = eligibility_decide(actor=personas.caseworker_a, case=case)
    assert decision.outcome == EligibilityDecision.Outcome.NOT_ELIGIBLE
    assert (decision.ruleset.programme, decision.ruleset.version) == ("AVRR", 1)
    verdicts = {r["kind"]: r["passed"] for r in decision.results}
    assert verdicts == {
        "allowed_destinations": True,
        "excluded_categories": False,
        "not_assisted_within_years": True,
    }
    assert decision.decided_by == personas.caseworker_a
    event = AuditEvent.objects.get(action="eligibility.decide")
    assert event.object_id == str(case.pk)
    assert event.details["outcome"] == "not_eligible"
    assert event.details["failed"] == ["excluded_categories"]
    assert latest_decision(case) == decision


def test_who_may_decide(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    for outsider in (personas.caseworker_b, personas.auditor_a, personas.partner):
        with pytest.raises(PermissionDenied):
            eligibility_decide(actor=outsider, case=case)
    assert eligibility_decide(actor=personas.manager_a, case=case).outcome == "eligible"
    assert not EligibilityDecision.objects.filter(decided_by=personas.caseworker_b).exists()


def test_earlier_returns_of_the_person_or_linked_records_count(personas: Personas) -> None:
    office = personas.office_a
    person = PersonFactory.create(office=office)
    earlier = CaseFactory.create(office=office, principal=person)
    Case.objects.filter(pk=earlier.pk).update(status=Status.CLOSED)
    departed = CaseTransition.objects.create(
        case=earlier, source="ready_to_depart", target="departed"
    )
    two_years_ago = timezone.now() - datetime.timedelta(days=730)
    CaseTransition.objects.filter(pk=departed.pk).update(occurred_at=two_years_ago)
    spouse = PersonFactory.create(office=office)
    case = CaseFactory.create(office=office, principal=spouse, members=[(person, "spouse")])
    decision = eligibility_decide(actor=personas.caseworker_a, case=case)
    [failed] = [r for r in decision.results if not r["passed"]]
    assert failed["kind"] == "not_assisted_within_years"
    assert failed["subject"] == "Spouse or partner (2)"
    assert str(two_years_ago.year) in failed["message"]
    # A closed case that never departed (withdrawn, rejected...) is not an assisted return.
    CaseTransition.objects.filter(pk=departed.pk).delete()
    assert eligibility_decide(actor=personas.caseworker_a, case=case).outcome == "eligible"


def test_documents_and_age_are_read_from_the_case(personas: Personas) -> None:
    office = personas.office_a
    today = timezone.localdate()
    adult = PersonFactory.create(office=office, date_of_birth=datetime.date(1980, 1, 1))
    child = PersonFactory.create(office=office, date_of_birth=today.replace(year=today.year - 5))
    stays = PersonFactory.create(office=office)
    case = CaseFactory.create(
        office=office,
        principal=adult,
        members=[(child, Relationship.CHILD), (stays, Relationship.OTHER)],
    )
    case.members.filter(person=stays).update(travelling=False)
    IdentityDocument.objects.create(
        person=adult,
        kind="passport",
        number="A1",
        number_index="a1",
        issuing_country="NG",
        expires_on=today + datetime.timedelta(days=30),
    )
    facts = case_facts(case)
    assert [(t.label, t.adult) for t in facts.travellers] == [
        ("Principal applicant (1)", True),
        ("Child (2)", False),
    ]
    assert [d.kind for d in facts.travellers[0].documents] == ["passport"]


def test_override_needs_a_manager_and_a_reason_and_is_audited(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a, category="regular")
    decision = eligibility_decide(actor=personas.caseworker_a, case=case)
    for outsider in (personas.caseworker_a, personas.caseworker_b):
        with pytest.raises(PermissionDenied):
            eligibility_override(actor=outsider, decision=decision, reason="Exceptional")
    with pytest.raises(ValidationError) as no_reason:
        eligibility_override(actor=personas.manager_a, decision=decision, reason="   ")
    assert "reason" in no_reason.value.message_dict
    decision.refresh_from_db()
    assert not decision.override
    overridden = eligibility_override(
        actor=personas.manager_a, decision=decision, reason="Serious medical needs at home"
    )
    assert overridden.override
    assert overridden.positive
    assert overridden.overridden_by == personas.manager_a
    assert overridden.override_reason == "Serious medical needs at home"
    event = AuditEvent.objects.get(action="eligibility.override")
    assert "Serious" not in str(event.details)
    with pytest.raises(ValidationError):  # already overridden
        eligibility_override(actor=personas.manager_a, decision=decision, reason="Again")


def test_a_positive_or_older_decision_cannot_be_overridden(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    positive = eligibility_decide(actor=personas.caseworker_a, case=case)
    with pytest.raises(ValidationError):
        eligibility_override(actor=personas.manager_a, decision=positive, reason="Why not")
    new_rules("AVRR", ONLY_IRREGULAR)
    negative = eligibility_decide(actor=personas.caseworker_a, case=case)
    eligibility_decide(actor=personas.caseworker_a, case=case)
    with pytest.raises(ValidationError) as stale:
        eligibility_override(actor=personas.manager_a, decision=negative, reason="Older one")
    assert stale.value.code == "stale"


def approve(case: Case, manager: object) -> list[str]:
    try:
        case_transition(actor=manager, case=case, target=Status.APPROVED)
    except TransitionBlocked as blocked:
        return [u.code for u in blocked.unmet]
    return []


def test_approval_needs_a_current_positive_decision(personas: Personas) -> None:
    office = personas.office_a
    approver = UserFactory.create(roles=[(office, Role.MANAGER)])
    case = submitted(CaseFactory.create(office=office), personas.caseworker_a)
    assert approve(case, approver) == ["eligibility_missing"]
    new_rules("AVRR", ONLY_IRREGULAR)
    eligibility_decide(actor=personas.caseworker_a, case=case)
    assert approve(case, approver) == ["eligibility_negative"]
    new_rules("AVRR", {"allowed_categories": {"categories": ["stranded"]}})
    assert approve(case, approver) == ["eligibility_negative", "eligibility_outdated"]
    eligibility_decide(actor=personas.caseworker_a, case=case)
    case_update(actor=personas.caseworker_a, case=case, destination_country="GH")
    assert approve(case, approver) == ["eligibility_outdated"]
    eligibility_decide(actor=personas.caseworker_a, case=case)
    assert approve(case, approver) == []
    assert Case.objects.get(pk=case.pk).status == Status.APPROVED


def test_an_overridden_decision_allows_approval_by_another_manager(personas: Personas) -> None:
    office = personas.office_a
    approver = UserFactory.create(roles=[(office, Role.MANAGER)])
    case = submitted(CaseFactory.create(office=office, category="regular"), personas.caseworker_a)
    decision = eligibility_decide(actor=personas.caseworker_a, case=case)
    eligibility_override(actor=personas.manager_a, decision=decision, reason="Medical needs")
    assert approve(case, personas.manager_a) == ["eligibility_override_approver"]
    assert approve(case, approver) == []


def test_no_decision_after_approval(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    Case.objects.filter(pk=case.pk).update(status=Status.APPROVED)
    with pytest.raises(ValidationError):
        eligibility_decide(actor=personas.caseworker_a, case=case)
