"""The run: a legal hold stops it, a dry run changes nothing and reports exactly what the real
run then does, programme rules take precedence, the command and the nightly task run every
office, and the services refuse bad input without saving anything."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.factories import OfficeFactory, UserFactory
from tests.retention.factories import RetentionRuleFactory, close_case, officer
from wayhome.accounts.permissions import Role
from wayhome.audit.models import AuditEvent
from wayhome.cases.models import Programme
from wayhome.people.models import Person
from wayhome.retention.models import (
    AnonymisedCase,
    LegalHold,
    RetentionItem,
    RetentionRule,
    RetentionRun,
)
from wayhome.retention.services import (
    hold_lift,
    hold_place,
    retention_run,
    rule_create,
    rule_update,
)
from wayhome.retention.tasks import retention_nightly

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 2)
LONG_AGO = TODAY - datetime.timedelta(days=6 * 365)


def _closed(office: Any, on: datetime.date = LONG_AGO, **kwargs: Any) -> Any:
    return close_case(CaseFactory.create(office=office, **kwargs), on)


def _snapshot() -> list[tuple[Any, ...]]:
    return sorted(
        (p.pk, p.given_name, p.family_name, p.date_of_birth, p.name_index, p.dob_index)
        for p in Person.objects.all()
    )


def test_a_legal_hold_stops_the_anonymisation_until_it_is_lifted() -> None:
    office = OfficeFactory.create()
    dpo = officer(office)
    RetentionRuleFactory.create(office=office)
    case = _closed(office)
    principal = case.principal
    hold = hold_place(actor=dpo, case=case, reason="Complaint before the ombudsman, file 7/26.")

    run = retention_run(office=office, dry_run=False, today=TODAY)

    assert (run.cases, run.held) == (0, 1)
    assert not AnonymisedCase.objects.exists()
    principal.refresh_from_db()
    assert principal.given_name
    assert RetentionItem.objects.get(run=run).outcome == RetentionItem.Outcome.HELD

    hold_lift(actor=dpo, hold=hold, version=hold.version)
    after = retention_run(office=office, dry_run=False, today=TODAY)
    assert after.cases == 1
    principal.refresh_from_db()
    assert principal.given_name == ""
    assert principal.date_of_birth is None
    # The hold's own reason went with the case's data.
    assert LegalHold.objects.get().reason == ""
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "retention.hold_place" in actions
    assert "retention.hold_lift" in actions


def test_the_dry_run_changes_nothing_and_reports_what_the_real_run_does() -> None:
    office = OfficeFactory.create()
    RetentionRuleFactory.create(office=office)
    due = [_closed(office) for _ in range(3)]
    _closed(office, TODAY - datetime.timedelta(days=30))  # not due
    held = _closed(office)
    hold_place(actor=officer(office), case=held, reason="Police investigation, ref 4411.")
    before = _snapshot()

    dry = retention_run(office=office, dry_run=True, today=TODAY)

    assert _snapshot() == before
    assert not AnonymisedCase.objects.exists()
    reported = {item.case_id: item.outcome for item in RetentionItem.objects.filter(run=dry)}
    assert reported == {
        **{case.pk: RetentionItem.Outcome.DUE for case in due},
        held.pk: RetentionItem.Outcome.HELD,
    }
    assert (dry.cases, dry.held, dry.rows) == (3, 1, 0)

    real = retention_run(office=office, dry_run=False, today=TODAY)

    done = set(AnonymisedCase.objects.values_list("case_id", flat=True))
    assert done == {pk for pk, outcome in reported.items() if outcome == "due"}
    assert real.counts.keys() == dry.counts.keys()
    for rule_id, counts in dry.counts.items():
        assert real.counts[rule_id]["cases"] == counts["cases"]
        assert real.counts[rule_id]["held"] == counts["held"]
    assert _snapshot() != before


def test_a_programme_rule_takes_precedence_over_the_rule_for_every_programme() -> None:
    office = OfficeFactory.create()
    RetentionRuleFactory.create(office=office, amount=1, unit="years")
    RetentionRuleFactory.create(office=office, programme=Programme.VHR, amount=10)
    two_years = TODAY - datetime.timedelta(days=2 * 365)
    avrr = _closed(office, two_years, programme=Programme.AVRR)
    _closed(office, two_years, programme=Programme.VHR)
    other_office = OfficeFactory.create()
    _closed(other_office, two_years)

    run = retention_run(office=office, dry_run=True, today=TODAY)

    assert list(RetentionItem.objects.filter(run=run).values_list("case_id", flat=True)) == [
        avrr.pk
    ]


def test_the_command_reports_a_dry_run_and_the_nightly_task_anonymises() -> None:
    office = OfficeFactory.create(code="ret-cmd")
    RetentionRuleFactory.create(office=office, amount=30, unit="days")
    case = _closed(office, timezone.localdate() - datetime.timedelta(days=40))
    out = StringIO()
    call_command("retention_run", "--dry-run", stdout=out)
    assert "ret-cmd: would anonymise 1 cases" in out.getvalue()
    assert not AnonymisedCase.objects.exists()
    assert retention_nightly.enqueue().return_value == 1  # the immediate backend in tests
    assert AnonymisedCase.objects.get().case_id == case.pk
    assert RetentionRun.objects.filter(dry_run=False).get().status == "succeeded"


def test_the_run_costs_a_bounded_number_of_queries_per_case() -> None:
    office = OfficeFactory.create()
    RetentionRuleFactory.create(office=office)
    for _ in range(2):
        _closed(office)
    with CaptureQueriesContext(connection) as two:
        retention_run(office=office, dry_run=True, today=TODAY)
    for _ in range(8):
        _closed(office)
    with CaptureQueriesContext(connection) as ten:
        retention_run(office=office, dry_run=True, today=TODAY)
    assert len(ten) == len(two)  # the dry run's report: no query per case


def test_rules_refuse_bad_input_and_other_offices() -> None:
    office = OfficeFactory.create()
    dpo = officer(office)
    for amount, unit in ((0, "years"), (101, "years"), (5, "weeks")):
        with pytest.raises(ValidationError):
            rule_create(
                actor=dpo,
                office=office,
                programme="",
                record_type="closed_cases",
                amount=amount,
                unit=unit,
            )
    assert not RetentionRule.objects.exists()
    rule = rule_create(
        actor=dpo, office=office, programme="", record_type="closed_cases", amount=5, unit="years"
    )
    with pytest.raises(ValidationError):  # the same scope twice
        rule_create(
            actor=dpo,
            office=office,
            programme="",
            record_type="closed_cases",
            amount=3,
            unit="years",
        )
    caseworker = UserFactory.create(roles=[(office, Role.CASEWORKER)])
    with pytest.raises(PermissionDenied):
        rule_update(actor=caseworker, rule=rule, amount=1, unit="years", active=True, version=1)
    with pytest.raises(ValidationError) as stale:
        rule_update(actor=dpo, rule=rule, amount=1, unit="years", active=True, version=7)
    assert stale.value.code == "stale"
    rule.refresh_from_db()
    assert (rule.amount, rule.version) == (5, 1)


def test_holds_refuse_a_short_reason_a_second_hold_and_other_offices() -> None:
    office = OfficeFactory.create()
    dpo = officer(office)
    case = _closed(office)
    with pytest.raises(ValidationError):
        hold_place(actor=dpo, case=case, reason="court")
    with pytest.raises(PermissionDenied):
        hold_place(actor=officer(OfficeFactory.create()), case=case, reason="x" * 30)
    assert not LegalHold.objects.exists()
    hold_place(actor=dpo, case=case, reason="Court order of 3 March, case 55.")
    with pytest.raises(ValidationError):
        hold_place(actor=dpo, case=case, reason="Court order of 3 March, case 55.")
    assert LegalHold.objects.count() == 1
    event = AuditEvent.objects.get(action="retention.hold_place")
    assert "Court" not in str(event.details)


def test_one_office_failing_does_not_stop_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    from wayhome.retention import tasks

    broken = OfficeFactory.create(code="aa-broken")
    fine = OfficeFactory.create(code="zz-fine")
    for office in (broken, fine):
        RetentionRuleFactory.create(office=office)
    real = tasks.retention_run

    def flaky(*, office: Any, dry_run: bool) -> Any:
        if office == broken:
            raise RuntimeError("disk full")
        return real(office=office, dry_run=dry_run)

    monkeypatch.setattr(tasks, "retention_run", flaky)
    with pytest.raises(RuntimeError, match="aa-broken"):
        tasks.run_all(dry_run=True)
    assert list(RetentionRun.objects.values_list("office__code", flat=True)) == ["zz-fine"]
