"""``manage.py generate_synthetic`` (wayhome/core/synthetic.py): reproducible, realistic,
coherent with the workflow and the reporting facts, encrypted and indexed like real records."""

from __future__ import annotations

import datetime
import hashlib
from collections import Counter as Tally
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Personas, client_for
from wayhome.cases.models import Case, CaseMember, CaseTransition, Programme
from wayhome.cases.services import case_create
from wayhome.cases.workflow import TERMINAL, Status, is_allowed
from wayhome.core import crypto, synthetic
from wayhome.core.models import Counter
from wayhome.movements.models import Arrival, Booking, BookingStatus
from wayhome.people import duplicates
from wayhome.people.models import MatchKey, Person
from wayhome.people.selectors import person_list
from wayhome.people.services import person_create
from wayhome.reintegration.models import BudgetLine, Plan
from wayhome.reporting.facts import fact_rows
from wayhome.reporting.models import ReturnFact
from wayhome.surveys.models import Interview, ScoreSet

pytestmark = pytest.mark.django_db
UNTIL = datetime.date(2026, 11, 30)


def _generate(cases: int, **kwargs: Any) -> synthetic.Result:
    kwargs.setdefault("batch", 150)
    return synthetic.generate(synthetic.Options(cases=cases, until=UNTIL, **kwargs))


def _digest() -> str:
    """A digest of the generated data, personal values decrypted (ids and values)."""
    h = hashlib.sha256()
    for case in Case.objects.order_by("reference"):
        h.update(
            repr(
                (
                    case.pk,
                    case.reference,
                    case.status,
                    case.created_at,
                    case.programme,
                    case.category,
                    case.destination_country,
                    case.principal_id,
                    case.office_id,
                )
            ).encode()
        )
    for p in Person.objects.order_by("id"):
        h.update(
            repr(
                (
                    p.pk,
                    p.given_name,
                    p.family_name,
                    p.name_as_written,
                    p.other_names,
                    p.date_of_birth,
                    p.sex,
                    p.nationality,
                    p.name_index,
                    p.dob_index,
                )
            ).encode()
        )
    for t in CaseTransition.objects.order_by("case_id", "occurred_at"):
        h.update(repr((t.case_id, t.source, t.target, t.occurred_at, t.reason)).encode())
    for m in MatchKey.objects.order_by("person_id", "key"):
        h.update(f"{m.person_id}{m.key}".encode())
    for model in (Booking, Arrival, Plan, BudgetLine, Interview, ScoreSet):
        h.update(
            repr(sorted(str(pk) for pk in model.objects.values_list("pk", flat=True))).encode()
        )
    return h.hexdigest()


def _wipe() -> None:
    for model in reversed(synthetic.MODELS):
        model._default_manager.all().delete()
    Counter.objects.filter(scope__startswith="case:").delete()


def test_the_same_seed_gives_the_same_data() -> None:
    _generate(120, seed=5, people_extra=30)
    first = _digest()
    _wipe()
    _generate(120, seed=5, people_extra=30, batch=37)
    assert _digest() == first  # another batch size, the same data
    _wipe()
    _generate(120, seed=6, people_extra=30)
    assert _digest() != first


def test_distributions_are_realistic() -> None:
    result = _generate(1500)
    assert result.cases == 1500
    sizes = Tally(CaseMember.objects.values_list("case_id", flat=True)).values()
    share = Tally(sizes)
    assert set(share) <= set(range(1, 9))
    assert len(share) >= 6
    assert 0.55 <= share[1] / 1500 <= 0.69
    assert 1.6 <= sum(sizes) / 1500 <= 2.3
    old_limit = datetime.datetime(UNTIL.year - 1, UNTIL.month, 1, tzinfo=datetime.UTC)
    recent_limit = datetime.datetime.combine(
        UNTIL - datetime.timedelta(days=45), datetime.time(), tzinfo=datetime.UTC
    )
    old = list(Case.objects.filter(created_at__lt=old_limit).values_list("status", flat=True))
    recent = list(
        Case.objects.filter(created_at__gte=recent_limit).values_list("status", flat=True)
    )
    assert len(old) > 500
    assert len(recent) > 20
    assert sum(s in TERMINAL for s in old) / len(old) >= 0.85
    assert sum(s not in TERMINAL for s in recent) / len(recent) >= 0.8
    statuses = Tally(Case.objects.values_list("status", flat=True))
    assert statuses[Status.WITHDRAWN]
    assert statuses[Status.REJECTED]
    assert statuses[Status.CLOSED]
    programmes = Tally(Case.objects.values_list("programme", flat=True))
    assert programmes[Programme.AVRR] > programmes[Programme.AVR] > programmes[Programme.VHR] > 0
    origins = Tally(Case.objects.values_list("destination_country", flat=True))
    assert len(origins) >= 15
    sexes = Tally(Person.objects.values_list("sex", flat=True))
    assert sexes[Person.Sex.MALE] > sexes[Person.Sex.FEMALE] > 0
    assert Plan.objects.exists()
    assert BudgetLine.objects.exists()
    assert ScoreSet.objects.exists()


def test_cases_are_coherent() -> None:
    _generate(400)
    steps: dict[Any, list[CaseTransition]] = {}
    for t in CaseTransition.objects.order_by("case_id", "occurred_at", "id"):
        steps.setdefault(t.case_id, []).append(t)
    arrivals = dict(Arrival.objects.values_list("case_id", "arrived_on"))
    flown = dict(
        Booking.objects.filter(status=BookingStatus.FLOWN).values_list("case_id", "departure_date")
    )
    for case in Case.objects.all():
        path = steps.get(case.pk, [])
        status: str = Status.REGISTERED
        moment = case.created_at
        for t in path:
            assert t.source == status
            assert is_allowed(t.source, t.target)
            assert t.occurred_at > moment
            status, moment = t.target, t.occurred_at
        assert case.status == status
        assert (case.held_from != "") == (case.status == Status.ON_HOLD)
        reached = {t.target: t.occurred_at.date() for t in reversed(path)}
        order = [
            case.created_at.date(),
            reached.get(Status.APPLICATION_SUBMITTED),
            reached.get(Status.APPROVED),
            flown.get(case.pk),
            arrivals.get(case.pk),
            path[-1].occurred_at.date() if case.status == Status.CLOSED else None,
        ]
        known = [day for day in order if day is not None]
        assert known == sorted(known), case.reference
        assert (case.pk in arrivals) == (Status.ARRIVED in reached)
        assert (case.pk in flown) == (Status.DEPARTED in reached)
    # Every person decrypts, and their indexes are those the app computes.
    for person in Person.objects.all():
        assert person.given_name
        assert person.family_name
        assert person.date_of_birth
        assert person.name_index == crypto.name_index(person.given_name, person.family_name)
        assert person.dob_index == crypto.date_of_birth_index(person.date_of_birth)
    first = Person.objects.order_by("id").first()
    assert first is not None
    assert set(MatchKey.objects.filter(person=first).values_list("key", flat=True)) == (
        duplicates.match_keys(duplicates.identity_of(first))
    )
    # Every member has a fact, and the facts are those ``reporting/facts.py`` computes.
    assert ReturnFact.objects.count() == CaseMember.objects.count()
    sample = list(Case.objects.order_by("reference").values_list("pk", flat=True)[:120])
    expected = {f.member_id: f for f in fact_rows(sample)}
    skip = {"id", "refreshed_at"}
    names = [f.attname for f in ReturnFact._meta.concrete_fields if f.attname not in skip]
    for fact in ReturnFact.objects.filter(case_id__in=sample):
        want = expected[fact.member_id]
        assert {n: getattr(fact, n) for n in names} == {n: getattr(want, n) for n in names}


def test_a_synthetic_person_is_found_by_search_and_duplicate_check(personas: Personas) -> None:
    synthetic.generate(
        synthetic.Options(cases=150, until=UNTIL, office=personas.office_a.code, batch=50)
    )
    person = Person.objects.filter(dob_precision=Person.DobPrecision.EXACT).order_by("id")[3]
    found = person_list(personas.caseworker_a, query=f"{person.family_name} {person.given_name}")
    assert person in list(found)
    assert person not in list(person_list(personas.caseworker_b, query=person.full_name))
    # Registering the same person again with a typo in the given name.
    typo = person.given_name[:-1] + ("e" if person.given_name[-1] != "e" else "a")
    candidates = duplicates.duplicate_candidates(
        personas.caseworker_a,
        {
            "given_name": typo,
            "family_name": person.family_name,
            "date_of_birth": person.date_of_birth,
            "sex": person.sex,
            "nationality": person.nationality,
        },
    )
    assert person.pk in {c.person.pk for c in candidates if c.person is not None}


def test_references_continue_after_generation(personas: Personas) -> None:
    office = personas.office_a
    _generate_in = synthetic.Options(cases=200, until=timezone.localdate(), office=office.code)
    synthetic.generate(_generate_in)
    year = timezone.localdate().year
    prefix = f"{office.code.upper()}-{year}-"
    numbers = [
        int(ref.removeprefix(prefix))
        for ref in Case.objects.filter(reference__startswith=prefix).values_list(
            "reference", flat=True
        )
    ]
    assert numbers, "the recent months hold cases"
    assert sorted(numbers) == list(range(1, len(numbers) + 1))
    person = person_create(
        actor=personas.caseworker_a,
        office=office,
        given_name="Amina",
        family_name="Newcomer",
        date_of_birth=datetime.date(1990, 1, 2),
    )
    case = case_create(
        actor=personas.caseworker_a,
        office=office,
        principal=person,
        programme=Programme.AVR,
        category="stranded",
        destination_country="NG",
    )
    assert case.reference == f"{prefix}{len(numbers) + 1:05d}"
    assert Case.objects.filter(reference=case.reference).count() == 1


def test_references_follow_existing_counters(personas: Personas) -> None:
    office = personas.office_a
    year = UNTIL.year
    Counter.objects.create(scope=f"case:{office.code}:{year}", value=41)
    synthetic.generate(synthetic.Options(cases=100, until=UNTIL, office=office.code))
    refs = sorted(
        Case.objects.filter(reference__startswith=f"{office.code.upper()}-{year}-").values_list(
            "reference", flat=True
        )
    )
    assert refs[0] == f"{office.code.upper()}-{year}-00042"
    assert Counter.objects.get(scope=f"case:{office.code}:{year}").value == 41 + len(refs)


def test_refused_in_production(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.PRODUCTION = True
    with pytest.raises(synthetic.ProductionRefused):
        _generate(5)
    with pytest.raises(CommandError, match="WAYHOME_PRODUCTION"):
        call_command("generate_synthetic", "--cases", "5", verbosity=0)
    assert not Case.objects.exists()
    assert not Person.objects.exists()
    settings.PRODUCTION = False
    monkeypatch.setenv("WAYHOME_PRODUCTION", "1")
    with pytest.raises(CommandError):
        call_command("generate_synthetic", "--cases", "5", verbosity=0)
    assert not Case.objects.exists()
    call_command("generate_synthetic", "--cases", "5", "--i-know", verbosity=0)
    assert Case.objects.count() == 5


def test_the_command_prints_the_rate(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("generate_synthetic", "--cases", "30", "--people-extra", "10", "--seed", "3")
    out = capsys.readouterr().out
    assert "30 cases and" in out
    assert "cases/s" in out
    assert Case.objects.count() == 30
    assert Person.objects.filter(cases_as_principal__isnull=True).count() >= 10


def test_fast_paths_match_the_project_functions() -> None:
    plan_builder = synthetic._Builder(None)  # type: ignore[arg-type]
    for key in ("n2:hsn|mhmd", "ny:tr|1990", "d:1990|03-12"):
        assert plan_builder._blind_key(key) == crypto.blind_index(duplicates.PURPOSE_MATCH, key)
    sealer = synthetic._sealer()
    first = sealer.seal(b"Fatou", "people.person.given_name")
    second = sealer.seal(b"Fatou", "people.person.given_name")
    assert first != second  # a fresh nonce each time
    assert crypto.decrypt(first, "people.person.given_name") == b"Fatou"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(first, "people.person.family_name")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_write_the_same_data_as_one() -> None:
    assert connection.vendor == "postgresql"
    synthetic.generate(synthetic.Options(cases=300, until=UNTIL, batch=40, workers=2))
    two = _digest()
    _wipe()
    synthetic.generate(synthetic.Options(cases=300, until=UNTIL, batch=300, workers=1))
    assert _digest() == two
    assert Case.objects.count() == 300


def test_synthetic_cases_show_in_the_pages(personas: Personas) -> None:
    synthetic.generate(synthetic.Options(cases=60, until=UNTIL, office=personas.office_a.code))
    client = client_for(personas.manager_a)
    listing = client.get(reverse("cases:case-list"))
    assert listing.status_code == 200
    newest = Case.objects.order_by("-created_at").first()
    assert newest is not None
    assert newest.reference in listing.content.decode()
    for case in Case.objects.filter(
        status__in=[Status.CLOSED, Status.MONITORING, Status.REINTEGRATION_ASSISTANCE]
    )[:3]:
        page = client.get(reverse("cases:case-detail", args=[case.pk]))
        assert page.status_code == 200
        assert case.reference in page.content.decode()
    person = Person.objects.order_by("id").first()
    assert person is not None
    found = client.get(reverse("people:person-list"), {"q": person.full_name})
    assert found.status_code == 200
    assert person.family_name in found.content.decode()
