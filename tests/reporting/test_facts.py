"""Facts follow the cases, and every total equals the count of the matching cases.

The expected counts are computed here from the case records themselves (decrypting dates of
birth, reading transitions), independently of ``reporting.facts``."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cases.factories import CaseFactory
from tests.conftest import Personas
from tests.people.factories import PersonFactory
from wayhome.cases.models import Case, CaseMember, CaseTransition, MigrantCategory, Programme
from wayhome.cases.workflow import Status
from wayhome.people.models import Person
from wayhome.reporting.dimensions import age_group
from wayhome.reporting.facts import facts_rebuild, facts_sync
from wayhome.reporting.models import ReturnFact, StaleCase
from wayhome.reporting.selectors import Filters, facts_for
from wayhome.reporting.tables import TOTAL, tabulate

GROUPS = [(0, 4, "0-4"), (5, 11, "5-11"), (12, 17, "12-17"), (18, 24, "18-24"), (25, 59, "25-59")]


def expected_group(born: datetime.date | None, day: datetime.date) -> str:
    """Age group by counting birthdays (a different computation from the module's)."""
    if born is None or born > day:
        return ""  # not known, or born after the day counted (a departure before the birth)
    years = 0
    while True:
        try:
            birthday = born.replace(year=born.year + years + 1)
        except ValueError:  # 29 February
            birthday = datetime.date(born.year + years + 1, 3, 1)
        if birthday > day:
            break
        years += 1
    for low, high, code in GROUPS:
        if low <= years <= high:
            return code
    return "60+"


def depart(case: Case, day: datetime.date) -> None:
    step = CaseTransition.objects.create(
        case=case, source=Status.READY_TO_DEPART, target=Status.DEPARTED
    )
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    CaseTransition.objects.filter(pk=step.pk).update(occurred_at=moment)
    Case.objects.filter(pk=case.pk).update(status=Status.DEPARTED)


case_specs = st.lists(
    st.fixed_dictionaries(
        {
            "programme": st.sampled_from(Programme.values),
            "category": st.sampled_from(MigrantCategory.values),
            "country": st.sampled_from(["NG", "SN", "IQ"]),
            "sex": st.sampled_from(["female", "male", "other", "unknown"]),
            "born": st.one_of(
                st.none(),
                st.dates(
                    min_value=datetime.date(1940, 1, 1), max_value=datetime.date(2025, 12, 31)
                ),
            ),
            "children": st.integers(min_value=0, max_value=2),
            "departed": st.one_of(
                st.none(),
                st.dates(
                    min_value=datetime.date(2025, 11, 1), max_value=datetime.date(2026, 10, 31)
                ),
            ),
        }
    ),
    min_size=1,
    max_size=6,
)


@pytest.mark.django_db
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=case_specs)
def test_every_total_equals_the_count_of_matching_cases(
    personas: Personas, specs: list[dict[str, Any]]
) -> None:
    office = personas.office_a
    try:
        for spec in specs:
            principal = PersonFactory.create(
                office=office, sex=spec["sex"], date_of_birth=spec["born"]
            )
            children = [
                (PersonFactory.create(office=office, sex="male"), "child")
                for _ in range(spec["children"])
            ]
            case = CaseFactory.create(
                office=office,
                principal=principal,
                members=children,
                programme=spec["programme"],
                category=spec["category"],
                destination_country=spec["country"],
            )
            if spec["departed"]:
                depart(case, spec["departed"])
        facts_sync()

        # The expected counts, from the records.
        by: dict[str, Counter[tuple[str, str]]] = {
            "sex": Counter(),
            "age": Counter(),
            "month": Counter(),
        }
        people = 0
        for member in CaseMember.objects.filter(case__office=office).select_related(
            "case", "person"
        ):
            case = member.case
            departed = (
                CaseTransition.objects.filter(case=case, target=Status.DEPARTED)
                .values_list("occurred_at", flat=True)
                .first()
            )
            day = departed.date() if departed else case.created_at.date()
            person = member.person
            people += 1
            by["sex"][(person.sex, case.programme)] += 1
            by["age"][(expected_group(person.date_of_birth, day), case.category)] += 1
            if departed:
                by["month"][(f"{departed:%Y-%m}", case.destination_country)] += 1

        facts = facts_for(personas.manager_a, Filters(period="registration"), sync=False)
        returned = facts_for(personas.manager_a, Filters(), sync=False)
        assert returned.count() == sum(by["month"].values())
        sex = tabulate(facts, "sex", "programme")
        assert sex.total == people == facts.count()
        for (row, col), count in by["sex"].items():
            assert sex.value(row, col) == count
        assert sum(sex.value(key.code, TOTAL) for key in sex.rows) == people
        age = tabulate(facts, "age_group", "category")
        for (row, col), count in by["age"].items():
            assert age.value(row, col) == count
        assert age.total == people
        month = tabulate(facts, "month", "origin_country")
        for (row, col), count in by["month"].items():
            assert month.value(row, col) == count
        assert month.total == sum(by["month"].values())
        cases = tabulate(facts, "programme", measure="cases")
        assert cases.total == Case.objects.filter(office=office).count()
    finally:  # each example starts from no case (a durable block forbids a rollback here)
        Case.objects.filter(office=office).delete()
        Person.objects.filter(office=office).delete()
        StaleCase.objects.all().delete()


def test_a_change_marks_the_case_and_sync_recomputes_it(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a, category=MigrantCategory.STRANDED)
    assert StaleCase.objects.filter(case_id=case.pk).exists()
    assert facts_sync() == 1
    fact = ReturnFact.objects.get(case=case)
    assert (fact.category, fact.vulnerability, fact.departure_date) == ("stranded", "none", None)
    assert not StaleCase.objects.exists()

    case.category = MigrantCategory.VICTIM_OF_TRAFFICKING
    case.save()
    depart(case, datetime.date(2026, 5, 4))
    facts_sync()
    fact = ReturnFact.objects.get(case=case)
    assert fact.vulnerability == "trafficking"
    assert fact.trafficking
    assert fact.departure_date == datetime.date(2026, 5, 4)
    assert fact.days_ready_to_depart is None  # never was (this test skips the workflow)


def test_facts_hold_no_personal_value(personas: Personas) -> None:
    person = PersonFactory.create(
        office=personas.office_a, given_name="Amina", date_of_birth=datetime.date(1990, 2, 3)
    )
    CaseFactory.create(office=personas.office_a, principal=person)
    facts_rebuild()
    row = ReturnFact.objects.values().get()
    text = " ".join(str(value) for value in row.values())
    assert "Amina" not in text
    assert "1990" not in text
    assert row["age_group"] == expected_group(datetime.date(1990, 2, 3), timezone.localdate())


def test_other_offices_facts_are_not_counted(personas: Personas) -> None:
    CaseFactory.create(office=personas.office_a)
    CaseFactory.create(office=personas.office_b)
    caseload = Filters(period="registration")
    assert facts_for(personas.manager_a, caseload).count() == 1
    assert facts_for(personas.caseworker_a, caseload).count() == 0  # no REPORT_VIEW
    assert facts_for(personas.manager_a).count() == 0  # returns only: nobody has left


def test_the_sync_command_and_a_full_rebuild(personas: Personas) -> None:
    from io import StringIO

    from django.core.management import call_command

    case = CaseFactory.create(office=personas.office_a)
    out = StringIO()
    call_command("reporting_sync", stdout=out)
    assert out.getvalue().strip() == "1 cases recomputed."
    ReturnFact.objects.filter(case=case).update(origin_country="ZZ")  # drifted
    call_command("reporting_sync", "--all", stdout=out)
    assert ReturnFact.objects.get(case=case).origin_country == case.destination_country


def test_someone_born_after_the_day_counted_has_no_age_group() -> None:
    """A departure recorded before a child's birth (found by the property test above)."""
    born, day = datetime.date(2025, 12, 20), datetime.date(2025, 11, 15)
    assert age_group(born, day) == expected_group(born, day) == ""
