"""The demo's historical returns (``seed_statistics``): about 600 closed cases departed over the
last 24 months, with figures the statistics pages can publish; a second run adds nothing."""

from __future__ import annotations

import datetime
import itertools
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.factories import OfficeFactory
from wayhome.accounts.models import Office
from wayhome.cases.models import Case, CaseMember, CaseTransition, MigrantCategory, Relationship
from wayhome.cases.workflow import Status, is_allowed
from wayhome.core.crypto import date_of_birth_index, name_index
from wayhome.movements.models import Arrival, ConfirmedBy
from wayhome.people.models import Person
from wayhome.reintegration.models import Closure
from wayhome.reporting.demo import HISTORY_PREFIX, seed_statistics
from wayhome.reporting.dimensions import AGE_GROUPS
from wayhome.reporting.models import ReturnFact, StaleCase
from wayhome.reporting.tables import COUNT, TOTAL, tabulate

pytestmark = pytest.mark.django_db


def _demo_offices() -> dict[str, Office]:
    """The two demo host offices, and one origin office (Lagos), as ``seed_offices`` makes them."""
    return {
        "de-ber": OfficeFactory.create(code="de-ber", name="Berlin", country="DE"),
        "gr-ath": OfficeFactory.create(code="gr-ath", name="Athens", country="GR"),
        "ng-los": OfficeFactory.create(
            code="ng-los", name="Lagos", kind=Office.Kind.ORIGIN, country="NG"
        ),
    }


def _counts() -> tuple[int, ...]:
    models = (Person, Case, CaseMember, CaseTransition, Arrival, Closure, ReturnFact)
    return tuple(model._default_manager.count() for model in models)


def test_seed_statistics_gives_the_statistics_publishable_figures_once() -> None:
    _demo_offices()
    created = seed_statistics(None)

    cases = Case.objects.filter(reference__startswith=HISTORY_PREFIX)
    assert cases.count() == 600
    assert created == sum(_counts()[:6])  # every record of the step, facts aside
    facts = ReturnFact.objects.all()
    assert set(facts.values_list("case_id", flat=True)) == set(cases.values_list("pk", flat=True))
    assert facts.count() == CaseMember.objects.count() > 750  # families travel together
    assert facts.filter(principal=True).count() == 600
    assert not StaleCase.objects.exists()

    # Closed, some withdrawn before departure (about 5%), never departed then.
    by_status = Counter(cases.values_list("status", flat=True))
    assert set(by_status) == {Status.CLOSED, Status.WITHDRAWN}
    assert 10 <= by_status[Status.WITHDRAWN] <= 60
    assert not facts.filter(status=Status.WITHDRAWN).exclude(departure_date=None).exists()

    # Every departure in the 24 months before today, spread over them.
    today = timezone.localdate()
    departed = facts.filter(status=Status.CLOSED)
    assert not departed.filter(departure_date=None).exists()
    days = [day for day in departed.values_list("departure_date", flat=True) if day is not None]
    assert len(days) == departed.count()
    assert today - datetime.timedelta(days=731) <= min(days)
    assert max(days) < today
    assert len({(day.year, day.month) for day in days}) >= 23
    application_to_departure = [
        days
        for days in departed.filter(principal=True).values_list("days_to_departure", flat=True)
        if days is not None
    ]
    assert len(application_to_departure) == by_status[Status.CLOSED]
    assert min(application_to_departure) >= 20
    assert max(application_to_departure) <= 91

    # Every age group, several countries (skewed), realistic sexes, programmes, categories.
    principals = facts.filter(principal=True)
    assert set(facts.values_list("age_group", flat=True)) == {code for code, *_ in AGE_GROUPS}
    countries = Counter(facts.values_list("origin_country", flat=True))
    assert 6 <= len(countries) <= 8
    assert max(countries.values()) >= 3 * min(countries.values())
    men = principals.filter(sex=Person.Sex.MALE).count()
    assert 0.5 <= men / 600 <= 0.7
    programmes = Counter(principals.values_list("programme", flat=True))
    assert set(programmes) == {"AVRR", "AVR", "VHR"}
    assert programmes["AVRR"] > 300
    categories = Counter(principals.values_list("category", flat=True))
    assert categories.most_common(1)[0][0] in {
        MigrantCategory.REJECTED_ASYLUM_SEEKER,
        MigrantCategory.IRREGULAR,
        MigrantCategory.STRANDED,
    }
    assert len(categories) == 7
    assert set(facts.values_list("funding_source", flat=True)) == {
        "EU AMIF",
        "National budget",
        "Private donors",
    }
    unaccompanied = cases.filter(category=MigrantCategory.UNACCOMPANIED_CHILD)
    assert unaccompanied.exists()
    assert set(
        CaseMember.objects.filter(case__in=unaccompanied).values_list("relationship", flat=True)
    ) == {Relationship.PRINCIPAL}
    assert set(facts.filter(case__in=unaccompanied).values_list("age_group", flat=True)) == {
        "12-17"
    }

    # The demo shows figures, not suppressed cells.
    table = tabulate(facts, "origin_country").protect()
    assert len(table.rows) == len(countries)
    assert all(table.published(row.code, COUNT) for row in table.rows)
    assert table.published(TOTAL, COUNT) == facts.count()
    by_age = tabulate(facts, "age_group", "sex").protect()
    cells = [
        (r.code, c.code) for r in by_age.rows for c in by_age.cols if by_age.value(r.code, c.code)
    ]
    published = [cell for cell in cells if by_age.published(*cell) is not None]
    assert len(published) >= 0.8 * len(cells)

    counts = _counts()
    assert seed_statistics(None) == 0
    assert _counts() == counts


def test_seed_statistics_writes_encrypted_people_and_histories_like_in_life() -> None:
    offices = _demo_offices()
    seed_statistics(None)
    now = timezone.now()

    # Dates of birth are encrypted at rest (the raw column is not the ISO date) and indexed.
    people = list(Person.objects.order_by("id")[:50])
    table = connection.ops.quote_name(Person._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, date_of_birth FROM {table}"  # noqa: S608 (a model's table name)
        )
        raw = {str(pk).replace("-", ""): bytes(value) for pk, value in cursor.fetchall()}
    for person in people:
        assert person.date_of_birth is not None
        stored = raw[person.pk.hex]
        assert person.date_of_birth.isoformat().encode() not in stored
        assert person.date_of_birth.isoformat() != stored.decode("latin-1")
        assert person.dob_index == date_of_birth_index(person.date_of_birth)
        assert person.name_index == name_index(person.given_name, person.family_name)
        assert person.nationality in {"NG", "SN", "IQ", "ER", "AF", "GE", "PK", "GH"}

    # Each history follows the workflow step by step, in order, in the past; the case was
    # registered before its first move; application to departure takes 20 to 90 days.
    steps = CaseTransition.objects.order_by("case_id", "occurred_at", "id")
    cases = {case.pk: case for case in Case.objects.all()}
    for case_id, group in itertools.groupby(steps, key=lambda step: step.case_id):
        history = list(group)
        case = cases[case_id]
        assert history[0].source == Status.REGISTERED
        assert history[-1].target == case.status
        assert all(a.target == b.source for a, b in itertools.pairwise(history))
        assert all(is_allowed(step.source, step.target) for step in history)
        assert case.created_at < history[0].occurred_at
        assert all(a.occurred_at < b.occurred_at for a, b in itertools.pairwise(history))
        assert history[-1].occurred_at < now
        assert case.status_changed_at == history[-1].occurred_at
        reached = {step.target: step.occurred_at for step in history}
        if case.status == Status.CLOSED:
            gap = reached[Status.DEPARTED] - reached[Status.APPLICATION_SUBMITTED]
            assert 20 <= gap.days <= 90
    assert min(case.created_at for case in cases.values()) < now - datetime.timedelta(days=600)
    assert max(person.created_at for person in Person.objects.all()) < now - datetime.timedelta(
        days=1
    )

    # Departed cases arrived (confirmed by the origin office where there is one) and closed.
    closed = Case.objects.filter(status=Status.CLOSED)
    assert Arrival.objects.count() == Closure.objects.count() == closed.count()
    for arrival in Arrival.objects.select_related("case", "office")[:200]:
        if arrival.case.destination_country == "NG":
            assert arrival.office == offices["ng-los"]
            assert arrival.confirmed_by == ConfirmedBy.ORIGIN_OFFICE
        else:
            assert arrival.office == arrival.case.office
            assert arrival.confirmed_by == ConfirmedBy.HOST_OFFICE
    for closure in Closure.objects.select_related("case")[:200]:
        before_close = closure.case.transitions.order_by("-occurred_at", "-id")[0].source
        assert closure.closed_from == before_close


def test_seed_statistics_without_the_demo_offices_brings_the_facts_up_to_date() -> None:
    case = CaseFactory.create(office=OfficeFactory.create(code="fr-par", country="FR"))
    assert StaleCase.objects.filter(case_id=case.pk).exists()
    assert seed_statistics(None) == 0
    assert not Case.objects.filter(reference__startswith=HISTORY_PREFIX).exists()
    assert ReturnFact.objects.get().case_id == case.pk
    assert not StaleCase.objects.exists()
