"""Pseudonymised microdata releases: released only when k-anonymous (refusals recorded with their
reasons and coarser options), keyed stable pseudonyms, who sees and downloads what (404 for
everyone else, 410 once expired), audit events without personal values, and the API."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
from collections import Counter
from typing import Any, get_args

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import Personas, client_for
from tests.factories import UserFactory
from tests.reporting.factories import MicrodataReleaseFactory, ReturnFactFactory
from wayhome.accounts.models import Office, RoleGrant, User
from wayhome.accounts.permissions import Role
from wayhome.accounts.policies import forget_permissions
from wayhome.api.services import token_issue
from wayhome.audit.models import AuditEvent
from wayhome.cases.models import Case
from wayhome.core.crypto import blind_index
from wayhome.reporting import microdata, microdata_api
from wayhome.reporting.microdata_forms import MicrodataReleaseForm
from wayhome.reporting.models import MicrodataRelease, ReturnFact, StaleCase

pytestmark = pytest.mark.django_db

API = "/api/v1/reporting/microdata"
BASIC = {"sex": "as_is", "age_group": "as_is", "origin_country": "country"}
COARSE = {"sex": "as_is", "age_group": "broad", "origin_country": "area"}


# --- helpers --------------------------------------------------------------------------------------


def facts(office: Office, count: int, **attrs: Any) -> list[ReturnFact]:
    """``count`` facts of people who departed from ``office``. The cases the factory opens mark
    themselves stale; the marks are cleared so that the sync before a release keeps these rows
    as written instead of recomputing them from the (undeparted) cases."""
    made = [ReturnFactFactory.create(office=office, **attrs) for _ in range(count)]
    StaleCase.objects.all().delete()
    return made


def user_with(office: Office, role: str, email: str) -> User:
    return UserFactory.create(email=email, roles=[(office, role)])


def release(actor: User, **kwargs: Any) -> microdata.MicrodataOutcome:
    arguments: dict[str, Any] = {
        "purpose": "Evaluation of the reintegration programme",
        "recipient": "Evaluation team",
        "generalisation": BASIC,
        "k": 5,
        **kwargs,
    }
    return microdata.microdata_release_create(actor=actor, **arguments)


def rows_of(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def lone_outlier(office: Office) -> ReturnFact:
    """Twelve women of 25-59 from Nigeria, and one woman of 60+ from Senegal (alone in her
    age-group/sex/country class; with them once ages are broad and countries world regions)."""
    facts(office, 12)
    [outlier] = facts(office, 1, age_group="60+", origin_country="SN")
    return outlier


class Api:
    def __init__(self, user: User) -> None:
        _token, secret = token_issue(actor=None, user=user, name="tests")
        self.client = Client(raise_request_exception=False)
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str) -> Any:
        return self.client.get(path, headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(
            path, json.dumps(body), content_type="application/json", headers=self.headers
        )


# --- releasing ------------------------------------------------------------------------------------


def test_a_k_anonymous_file_is_released_with_keyed_pseudonyms(personas: Personas) -> None:
    made = facts(personas.office_a, 12, days_to_departure=49)
    before = timezone.now()

    outcome = release(personas.manager_a)

    stored = MicrodataRelease.objects.get(pk=outcome.release.pk)
    assert stored.status == MicrodataRelease.Status.RELEASED
    assert (stored.rows, stored.smallest_class, stored.classes_below_k) == (12, 12, 0)
    assert stored.quasi_identifiers == ["sex", "age_group", "origin_country"]
    assert stored.generalisation == BASIC
    assert list(stored.offices.all()) == [personas.office_a]
    content = bytes(stored.content or b"")
    assert stored.digest == hashlib.sha256(content).hexdigest()
    assert stored.expires_at is not None
    assert (
        before + datetime.timedelta(days=7)
        <= stored.expires_at
        <= timezone.now() + datetime.timedelta(days=7)
    )
    text = content.decode("utf-8")
    assert text.splitlines()[0] == (
        "pseudonym,sex,age_group,origin_country,vulnerability,days_to_departure,arrived,status"
    )
    rows = rows_of(content)
    assert len(rows) == 12
    expected = {blind_index("microdata", str(fact.member_id)) for fact in made}
    assert {row["pseudonym"] for row in rows} == expected
    assert [row["pseudonym"] for row in rows] == sorted(expected)
    assert all(len(row["pseudonym"]) == 32 for row in rows)
    assert {
        (r["sex"], r["age_group"], r["origin_country"], r["vulnerability"], r["status"])
        for r in rows
    } == {("female", "25-59", "NG", "none", "departed")}
    assert {(row["days_to_departure"], row["arrived"]) for row in rows} == {("49", "no")}
    for fact in made:
        case = Case.objects.get(pk=fact.case_id)
        person = fact.member.person
        for value in (
            str(fact.member_id),
            str(fact.case_id),
            str(person.pk),
            case.reference,
            person.given_name,
            person.family_name,
        ):
            assert value not in text


def test_only_people_who_departed_from_the_offices_chosen_are_in_the_file(
    personas: Personas,
) -> None:
    facts(personas.office_a, 6, departure_date=datetime.date(2026, 3, 10))
    facts(personas.office_a, 5, departure_date=datetime.date(2025, 6, 1))
    facts(personas.office_a, 3, departure_date=None, status="approved")
    facts(personas.office_b, 7)

    everything = release(personas.manager_a)
    period = release(
        personas.manager_a,
        period_from=datetime.date(2026, 1, 1),
        period_to=datetime.date(2026, 12, 31),
    )

    assert everything.release.rows == 11
    assert len(rows_of(bytes(everything.release.content or b""))) == 11
    assert period.release.rows == 6


def test_arrival_and_generalised_columns(personas: Personas) -> None:
    facts(
        personas.office_a,
        5,
        age_group="12-17",
        origin_country="SN",
        origin_region="SN-DK",
        departure_date=datetime.date(2026, 5, 2),
        arrival_date=datetime.date(2026, 5, 3),
        days_to_departure=None,
        vulnerability="unaccompanied_child",
        category="unaccompanied_child",
        status="arrived",
    )

    outcome = release(
        personas.manager_a,
        generalisation={
            "age_group": "broad",
            "origin_country": "region",
            "category": "as_is",
            "host_country": "as_is",
            "programme": "as_is",
            "departure": "quarter",
        },
    )

    header = next(csv.reader(io.StringIO(bytes(outcome.release.content or b"").decode())))
    assert header[:7] == [
        "pseudonym",
        "age_broad",
        "origin_world_region",
        "programme",
        "category",
        "host_country",
        "departure_quarter",
    ]
    row = rows_of(bytes(outcome.release.content or b""))[0]
    assert (row["age_broad"], row["origin_world_region"], row["departure_quarter"]) == (
        "child",
        "africa",
        "2026-Q2",
    )
    assert (row["host_country"], row["programme"], row["category"]) == (
        "DE",
        "AVRR",
        "unaccompanied_child",
    )
    assert (row["arrived"], row["days_to_departure"], row["status"]) == ("yes", "", "arrived")


def test_generalisations_of_each_value() -> None:
    qi = microdata.QUASI_IDENTIFIERS
    record = {
        "age_group": "",
        "origin_country": "SN",
        "departure_date": datetime.date(2026, 11, 30),
    }
    broad = qi["age_group"].level("broad")
    assert broad is not None
    assert [
        broad.value({**record, "age_group": g}) for g in ("0-4", "12-17", "18-24", "60+", "")
    ] == [
        "child",
        "child",
        "adult",
        "adult",
        "",
    ]
    origin = qi["origin_country"]
    assert [origin.level(code).value(record) for code in ("country", "area", "region")] == [  # type: ignore[union-attr]
        "SN",
        "western_africa",
        "africa",
    ]
    departure = qi["departure"]
    assert [departure.level(code).value(record) for code in ("month", "quarter", "year")] == [  # type: ignore[union-attr]
        "2026-11",
        "2026-Q4",
        "2026",
    ]
    assert qi["origin_country"].coarser("country") == ["area", "region", ""]
    assert qi["sex"].coarser("as_is") == [""]


def test_cells_are_written_so_that_none_is_a_formula(personas: Personas) -> None:
    facts(personas.office_a, 5, category="=HYPERLINK(1)")

    outcome = release(personas.manager_a, generalisation={"category": "as_is"})

    assert {row["category"] for row in rows_of(bytes(outcome.release.content or b""))} == {
        "'=HYPERLINK(1)"
    }


# --- refusing -------------------------------------------------------------------------------------


def test_a_file_that_is_not_k_anonymous_is_refused_and_nothing_released(
    personas: Personas,
) -> None:
    lone_outlier(personas.office_a)

    outcome = release(personas.manager_a)

    stored = MicrodataRelease.objects.get(pk=outcome.release.pk)
    assert stored.status == MicrodataRelease.Status.REFUSED
    assert stored.content is None
    assert stored.digest == ""
    assert stored.expires_at is None
    assert (stored.rows, stored.smallest_class, stored.classes_below_k) == (13, 1, 1)
    assert outcome.check.rows_below_k == 1
    assert not outcome.released
    reasons = " ".join(outcome.reasons)
    assert "1 group of people" in reasons
    assert "fewer than 5 people; the smallest holds 1" in reasons
    assert "1 of the 13 people" in reasons
    assert {(s.quasi_identifier, s.level) for s in outcome.suggestions} == {
        ("sex", ""),
        ("age_group", "broad"),
        ("origin_country", "area"),
    }
    texts = {s.text for s in outcome.suggestions}
    assert "Age group: Child or adult" in texts
    assert "Sex: leave it out" in texts
    [event] = AuditEvent.objects.filter(action="reporting.microdata_refuse")
    assert event.object_id == str(stored.pk)
    assert event.office_id == personas.office_a.pk
    assert event.details["reason"] == "not_k_anonymous"
    assert (event.details["classes_below_k"], event.details["rows_below_k"]) == (1, 1)
    assert not AuditEvent.objects.filter(action="reporting.microdata_release").exists()


def test_the_same_data_generalised_is_released(personas: Personas) -> None:
    outlier = lone_outlier(personas.office_a)

    outcome = release(personas.manager_a, generalisation=COARSE)

    assert outcome.released
    rows = rows_of(bytes(outcome.release.content or b""))
    assert len(rows) == 13
    assert {(r["sex"], r["age_broad"], r["origin_area"]) for r in rows} == {
        ("female", "adult", "western_africa")
    }
    assert blind_index("microdata", str(outlier.member_id)) in {r["pseudonym"] for r in rows}
    assert outcome.release.smallest_class == 13


def test_a_suggestion_that_is_enough_on_its_own_comes_first(personas: Personas) -> None:
    facts(personas.office_a, 6)
    facts(personas.office_a, 2, origin_country="SN")  # alone by country only

    outcome = release(personas.manager_a)

    assert not outcome.released
    first = outcome.suggestions[0]
    assert (first.quasi_identifier, first.level, first.rows_below_k) == (
        "origin_country",
        "area",
        0,
    )
    assert "enough on its own" in first.effect
    assert outcome.suggestions[1].rows_below_k == 2


def test_an_empty_selection_is_refused(personas: Personas) -> None:
    facts(personas.office_a, 3, departure_date=None)

    outcome = release(personas.manager_a)

    assert outcome.release.status == MicrodataRelease.Status.REFUSED
    assert (outcome.release.rows, outcome.release.smallest_class) == (0, None)
    assert outcome.suggestions == ()
    assert "nothing to release" in outcome.reasons[0]
    [event] = AuditEvent.objects.filter(action="reporting.microdata_refuse")
    assert event.details["reason"] == "empty"


@pytest.mark.parametrize("k", [0, 4])
def test_k_below_5_is_refused(personas: Personas, k: int) -> None:
    form = MicrodataReleaseForm(
        {"purpose": "Evaluation", "recipient": "Evaluator", "k": str(k)},
        offices=[personas.office_a],
    )
    assert not form.is_valid()
    assert form.errors["k"] == [
        "k must be at least 5: smaller groups make people too easy to recognise."
    ]
    with pytest.raises(ValidationError) as raised:
        release(personas.manager_a, k=k)
    assert "k" in raised.value.error_dict
    assert not MicrodataRelease.objects.exists()


def test_k_above_100_and_other_bad_requests_are_refused(personas: Personas) -> None:
    form = MicrodataReleaseForm(
        {
            "purpose": "",
            "recipient": "Evaluator",
            "k": "101",
            "origin_country": "area",
            "origin_region": "as_is",
            "period_from": "2026-05-01",
            "period_to": "2026-04-01",
        },
        offices=[personas.office_a],
    )
    assert not form.is_valid()
    assert set(form.errors) == {"purpose", "k", "origin_region", "period_to"}
    with pytest.raises(ValidationError) as raised:
        release(
            personas.manager_a, generalisation={"origin_country": "area", "origin_region": "as_is"}
        )
    assert set(raised.value.error_dict) == {"origin_region"}
    with pytest.raises(ValidationError):
        release(personas.manager_a, generalisation={"sex": "broad"})
    assert not MicrodataRelease.objects.exists()


def test_the_form_gives_the_services_arguments(personas: Personas) -> None:
    form = MicrodataReleaseForm(
        {
            "purpose": "Evaluation",
            "recipient": "Evaluator",
            "offices": [str(personas.office_a.pk)],
            "sex": "as_is",
            "age_group": "broad",
            "origin_country": "",
            "departure": "year",
            "k": "7",
        },
        offices=[personas.office_a],
    )
    assert form.is_valid(), form.errors
    values = form.values()
    assert values["generalisation"] == {"sex": "as_is", "age_group": "broad", "departure": "year"}
    assert values["offices"] == [personas.office_a]
    assert values["k"] == 7


# --- pseudonyms -----------------------------------------------------------------------------------


def test_pseudonyms_are_stable_across_releases_and_keyed(personas: Personas, settings: Any) -> None:
    made = facts(personas.office_a, 6)

    first = release(personas.manager_a, generalisation=BASIC)
    second = release(personas.manager_a, generalisation={"departure": "year"})

    def pseudonyms(outcome: microdata.MicrodataOutcome) -> list[str]:
        return [row["pseudonym"] for row in rows_of(bytes(outcome.release.content or b""))]

    assert pseudonyms(first) == pseudonyms(second)
    assert set(pseudonyms(first)) == {microdata.pseudonym(f.member_id) for f in made}
    assert str(made[0].member_id).replace("-", "") not in pseudonyms(first)
    assert microdata.pseudonym(made[0].member_id) != blind_index("name", str(made[0].member_id))
    settings.BLIND_INDEX_KEY = "another key entirely, for this test only"
    assert microdata.pseudonym(made[0].member_id) not in pseudonyms(first)


# --- who may --------------------------------------------------------------------------------------


def test_who_may_ask_and_for_which_offices(personas: Personas) -> None:
    facts(personas.office_a, 5)
    with pytest.raises(PermissionDenied):
        release(personas.caseworker_a)
    with pytest.raises(ValidationError) as raised:
        release(personas.manager_a, offices=[personas.office_b])
    assert set(raised.value.error_dict) == {"offices"}
    dpo_a = user_with(personas.office_a, Role.DPO, "dpo-a@example.org")
    me_a = user_with(personas.office_a, Role.ME_OFFICER, "me-a@example.org")
    assert release(dpo_a).released
    assert release(me_a).released
    assert not MicrodataRelease.objects.filter(requested_by=personas.caseworker_a).exists()


def test_no_office_chosen_means_every_office_of_the_requester(personas: Personas) -> None:
    both = UserFactory.create(
        email="me-ab@example.org",
        roles=[(personas.office_a, Role.ME_OFFICER), (personas.office_b, Role.DPO)],
    )
    facts(personas.office_a, 5)
    facts(personas.office_b, 5)

    outcome = release(both)

    assert outcome.release.rows == 10
    assert set(outcome.release.offices.all()) == {personas.office_a, personas.office_b}
    events = AuditEvent.objects.filter(action="reporting.microdata_release")
    assert {e.office_id for e in events} == {personas.office_a.pk, personas.office_b.pk}
    assert {e.details["offices"] for e in events} == {2}


def test_users_without_the_permissions_get_403(personas: Personas) -> None:
    for user in (personas.caseworker_a, personas.auditor_a):
        client = client_for(user)
        assert client.get(reverse("reporting:microdata-list")).status_code == 403
        assert client.get(reverse("reporting:microdata-create")).status_code == 403
        assert client.post(reverse("reporting:microdata-create"), {}).status_code == 403
    # Partner users reach no staff page at all (accounts.middleware answers 404).
    partner = client_for(personas.partner)
    assert partner.get(reverse("reporting:microdata-list")).status_code == 404
    anonymous = Client().get(reverse("reporting:microdata-list"))
    assert anonymous.status_code == 302


def test_the_requester_and_dpos_of_the_offices_see_a_release(personas: Personas) -> None:
    facts(personas.office_a, 5)
    released = release(personas.manager_a).release
    dpo_a = user_with(personas.office_a, Role.DPO, "dpo-a@example.org")
    detail = reverse("reporting:microdata-detail", kwargs={"microdata_release_id": released.pk})
    download = reverse("reporting:microdata-download", kwargs={"microdata_release_id": released.pk})

    own = client_for(personas.manager_a).get(detail)
    assert own.status_code == 200
    assert download in own.content.decode()
    page = client_for(dpo_a).get(detail)
    assert page.status_code == 200
    assert download not in page.content.decode()
    assert "Only the person who asked for the file may download it." in page.content.decode()
    listed = client_for(dpo_a).get(reverse("reporting:microdata-list"))
    assert str(released.pk) in listed.content.decode()
    assert client_for(dpo_a).get(download).status_code == 404


def test_other_users_of_the_office_and_users_of_office_b_get_404(personas: Personas) -> None:
    facts(personas.office_a, 5)
    released = release(personas.manager_a).release
    refused = release(personas.manager_a, k=6).release
    me_a = user_with(personas.office_a, Role.ME_OFFICER, "me-a@example.org")
    manager_a2 = user_with(personas.office_a, Role.MANAGER, "pm-a2@example.org")
    dpo_b = user_with(personas.office_b, Role.DPO, "dpo-b@example.org")
    manager_b = user_with(personas.office_b, Role.MANAGER, "pm-b@example.org")

    for user in (me_a, manager_a2, dpo_b, manager_b):
        client = client_for(user)
        for item in (released, refused):
            for name in ("reporting:microdata-detail", "reporting:microdata-download"):
                url = reverse(name, kwargs={"microdata_release_id": item.pk})
                assert client.get(url).status_code == 404, (user.email, name)
        listed = client.get(reverse("reporting:microdata-list"))
        assert listed.status_code == 200
        assert str(released.pk) not in listed.content.decode()
        assert str(refused.pk) not in listed.content.decode()
    assert not AuditEvent.objects.filter(action="reporting.microdata_download").exists()


# --- downloading ----------------------------------------------------------------------------------


def test_the_requester_downloads_the_file_and_each_download_is_audited(
    personas: Personas,
) -> None:
    facts(personas.office_a, 5)
    released = release(personas.manager_a).release
    url = reverse("reporting:microdata-download", kwargs={"microdata_release_id": released.pk})
    client = client_for(personas.manager_a)

    first = client.get(url)
    client.get(url)

    assert first.status_code == 200
    assert first["Content-Disposition"].startswith('attachment; filename="microdata-')
    assert first["Cache-Control"] == "no-store"
    assert first["Content-Type"] == "text/csv; charset=utf-8"
    assert first.content == bytes(released.content or b"")
    events = AuditEvent.objects.filter(action="reporting.microdata_download")
    assert events.count() == 2
    assert {(e.object_id, e.office_id) for e in events} == {
        (str(released.pk), personas.office_a.pk)
    }
    assert {e.actor_id for e in events} == {personas.manager_a.pk}


def test_an_expired_file_answers_410(personas: Personas) -> None:
    facts(personas.office_a, 5)
    released = release(personas.manager_a).release
    MicrodataRelease.objects.filter(pk=released.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    url = reverse("reporting:microdata-download", kwargs={"microdata_release_id": released.pk})

    response = client_for(personas.manager_a).get(url)

    assert response.status_code == 410
    assert "This file has expired" in response.content.decode()
    assert "1,1" not in response.content.decode()  # no record of the file
    assert not AuditEvent.objects.filter(action="reporting.microdata_download").exists()
    other = user_with(personas.office_a, Role.ME_OFFICER, "me-a@example.org")
    assert client_for(other).get(url).status_code == 404


def test_a_requester_who_lost_the_permission_may_no_longer_download(
    personas: Personas,
) -> None:
    facts(personas.office_a, 5)
    released = release(personas.manager_a).release
    RoleGrant.objects.filter(user=personas.manager_a).delete()
    forget_permissions(personas.manager_a)
    url = reverse("reporting:microdata-download", kwargs={"microdata_release_id": released.pk})

    assert client_for(personas.manager_a).get(url).status_code == 404


# --- audit ----------------------------------------------------------------------------------------


def test_audit_events_hold_no_personal_value(personas: Personas) -> None:
    made = facts(personas.office_a, 6)
    released = release(personas.manager_a, recipient="Dr Jane Evaluator").release
    client_for(personas.manager_a).get(
        reverse("reporting:microdata-download", kwargs={"microdata_release_id": released.pk})
    )
    lone_outlier(personas.office_b)
    both = UserFactory.create(email="dpo-b@example.org", roles=[(personas.office_b, Role.DPO)])
    release(both)

    events = AuditEvent.objects.filter(action__startswith="reporting.microdata")
    assert Counter(e.action for e in events) == {
        "reporting.microdata_release": 1,
        "reporting.microdata_download": 1,
        "reporting.microdata_refuse": 1,
    }
    [released_event] = [e for e in events if e.action == "reporting.microdata_release"]
    assert released_event.details == {
        "rows": 6,
        "k": 5,
        "smallest_class": 6,
        "quasi_identifiers": ["sex:as_is", "age_group:as_is", "origin_country:country"],
        "offices": 1,
    }
    dumped = json.dumps([e.details for e in events])
    forbidden = ["Jane", "Evaluation of", "NG", "25-59", "female"]
    for fact in made:
        forbidden += [str(fact.member_id), microdata.pseudonym(fact.member_id)]
    for value in forbidden:
        assert value not in dumped


# --- pages ----------------------------------------------------------------------------------------


def test_requesting_on_the_page(personas: Personas) -> None:
    facts(personas.office_a, 5)
    client = client_for(personas.manager_a)
    url = reverse("reporting:microdata-create")

    form = client.get(url)
    assert form.status_code == 200
    assert 'name="k"' in form.content.decode()
    response = client.post(
        url,
        {
            "purpose": "Evaluation",
            "recipient": "Evaluator",
            "sex": "as_is",
            "age_group": "broad",
            "origin_country": "area",
            "k": "5",
        },
    )

    created = MicrodataRelease.objects.get()
    assert created.status == MicrodataRelease.Status.RELEASED
    assert created.generalisation == COARSE
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "reporting:microdata-detail", kwargs={"microdata_release_id": created.pk}
    )
    listed = client.get(reverse("reporting:microdata-list")).content.decode()
    assert str(created.pk) in listed
    assert reverse("reporting:microdata-create") in listed


def test_a_refusal_on_the_page_shows_why(personas: Personas) -> None:
    lone_outlier(personas.office_a)
    client = client_for(personas.manager_a)

    response = client.post(
        reverse("reporting:microdata-create"),
        {"purpose": "Evaluation", "recipient": "Evaluator", **BASIC, "k": "5"},
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert "Nothing was released." in page
    assert "1 of the 13 people in the selection is in such a group." in page
    assert "Age group: Child or adult" in page
    refused = MicrodataRelease.objects.get()
    assert refused.status == MicrodataRelease.Status.REFUSED
    detail = client.get(
        reverse("reporting:microdata-detail", kwargs={"microdata_release_id": refused.pk})
    ).content.decode()
    assert "the smallest holds 1" in detail
    assert "Country of origin: World region" in detail


def test_k_below_5_on_the_page_records_nothing(personas: Personas) -> None:
    facts(personas.office_a, 5)
    response = client_for(personas.manager_a).post(
        reverse("reporting:microdata-create"),
        {"purpose": "Evaluation", "recipient": "Evaluator", **BASIC, "k": "3"},
    )
    assert response.status_code == 400
    assert "k must be at least 5" in response.content.decode()
    assert not MicrodataRelease.objects.exists()


def test_the_list_takes_few_queries(personas: Personas, django_assert_max_num_queries: Any) -> None:
    for _n in range(4):
        MicrodataReleaseFactory.create(requested_by=personas.manager_a, office=personas.office_a)
    client = client_for(personas.manager_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reporting:microdata-list"))
    assert response.content.decode().count("<td>Office A</td>") == 4


# --- API ------------------------------------------------------------------------------------------


def test_the_api_codes_match_the_generalisations() -> None:
    fields = microdata_api.MicrodataQuasiIdentifiersIn.model_fields
    assert set(fields) == set(microdata.QUASI_IDENTIFIERS)
    for name, qi in microdata.QUASI_IDENTIFIERS.items():
        literal = [arg for arg in get_args(fields[name].annotation) if arg is not type(None)]
        codes = {code for arg in literal for code in get_args(arg)}
        assert codes == {level.code for level in qi.levels}, name


def test_api_create_list_detail_and_file(personas: Personas) -> None:
    made = facts(personas.office_a, 6)
    api = Api(personas.manager_a)

    created = api.post(
        API,
        {
            "purpose": "Evaluation",
            "recipient": "Evaluator",
            "office_ids": [str(personas.office_a.pk)],
            "quasi_identifiers": {"sex": "as_is", "age_group": "broad", "origin_country": None},
        },
    )

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "released"
    assert body["rows"] == 6
    assert body["quasi_identifiers"] == ["sex", "age_broad"]
    assert body["generalisation"] == {"sex": "as_is", "age_group": "broad"}
    assert body["office_ids"] == [str(personas.office_a.pk)]
    assert body["expired"] is False
    assert "content" not in body
    listed = api.get(API)
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == [body["id"]]
    detail = api.get(f"{API}/{body['id']}")
    assert detail.status_code == 200
    assert detail.json()["digest"] == body["digest"]
    file = api.get(f"{API}/{body['id']}/file")
    assert file.status_code == 200
    assert file["Content-Disposition"].startswith("attachment;")
    assert file["Cache-Control"] == "no-store"
    assert hashlib.sha256(file.content).hexdigest() == body["digest"]
    assert {r["pseudonym"] for r in rows_of(file.content)} == {
        microdata.pseudonym(f.member_id) for f in made
    }
    assert AuditEvent.objects.filter(action="reporting.microdata_download").count() == 1


def test_api_refusal_is_422_and_recorded(personas: Personas) -> None:
    lone_outlier(personas.office_a)
    api = Api(personas.manager_a)

    response = api.post(API, {"purpose": "Evaluation", "recipient": "Evaluator", "k": 5})

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "not_k_anonymous"
    details = error["details"]
    assert (details["rows"], details["classes_below_k"], details["rows_below_k"]) == (13, 1, 1)
    assert details["smallest_class"] == 1
    assert {(s["quasi_identifier"], s["level"]) for s in details["suggestions"]} == {
        ("sex", None),
        ("age_group", "broad"),
        ("origin_country", "area"),
    }
    refused = MicrodataRelease.objects.get(pk=details["release_id"])
    assert refused.status == MicrodataRelease.Status.REFUSED
    assert api.get(f"{API}/{refused.pk}").json()["status"] == "refused"
    assert api.get(f"{API}/{refused.pk}/file").status_code == 404
    coarse = api.post(
        API,
        {
            "purpose": "Evaluation",
            "recipient": "Evaluator",
            "quasi_identifiers": {"age_group": "broad", "origin_country": "region"},
        },
    )
    assert coarse.status_code == 201, coarse.content


def test_api_empty_selection_and_bad_input(personas: Personas) -> None:
    api = Api(personas.manager_a)
    empty = api.post(API, {"purpose": "Evaluation", "recipient": "Evaluator"})
    assert empty.status_code == 422
    assert empty.json()["error"]["code"] == "empty_selection"
    assert MicrodataRelease.objects.count() == 1

    low = api.post(API, {"purpose": "Evaluation", "recipient": "Evaluator", "k": 4})
    assert low.status_code == 422
    assert low.json()["error"]["code"] == "validation_error"
    assert low.json()["error"]["details"][0]["field"] == "k"
    other = api.post(
        API,
        {
            "purpose": "Evaluation",
            "recipient": "Evaluator",
            "office_ids": [str(personas.office_b.pk)],
        },
    )
    assert other.status_code == 422
    assert other.json()["error"]["details"][0]["field"] == "office_ids"
    region = api.post(
        API,
        {
            "purpose": "Evaluation",
            "recipient": "Evaluator",
            "quasi_identifiers": {"origin_country": "area", "origin_region": "as_is"},
        },
    )
    assert region.status_code == 422
    assert region.json()["error"]["details"][0]["field"] == "quasi_identifiers.origin_region"
    assert MicrodataRelease.objects.count() == 1


def test_api_rules_for_other_users(personas: Personas) -> None:
    facts(personas.office_a, 5)
    released = release(personas.manager_a).release
    dpo_b = user_with(personas.office_b, Role.DPO, "dpo-b@example.org")
    me_a = user_with(personas.office_a, Role.ME_OFFICER, "me-a@example.org")
    dpo_a = user_with(personas.office_a, Role.DPO, "dpo-a@example.org")

    for user in (dpo_b, me_a):
        api = Api(user)
        assert api.get(f"{API}/{released.pk}").status_code == 404
        assert api.get(f"{API}/{released.pk}/file").status_code == 404
        assert api.get(API).json()["items"] == []
    assert Api(dpo_a).get(f"{API}/{released.pk}").status_code == 200
    assert Api(dpo_a).get(f"{API}/{released.pk}/file").status_code == 404
    caseworker = Api(personas.caseworker_a)
    assert caseworker.get(API).status_code == 403
    denied = caseworker.post(API, {"purpose": "Evaluation", "recipient": "Evaluator"})
    assert denied.status_code == 403
    MicrodataRelease.objects.filter(pk=released.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    gone = Api(personas.manager_a).get(f"{API}/{released.pk}/file")
    assert gone.status_code == 410
    assert gone.json()["error"]["code"] == "gone"
    assert Api(personas.manager_a).get(f"{API}/{released.pk}").json()["expired"] is True


# --- the check itself -----------------------------------------------------------------------------


@given(
    keys=st.lists(st.tuples(st.sampled_from("ab"), st.sampled_from("xyz")), max_size=40),
    k=st.integers(min_value=1, max_value=8),
)
def test_k_check_counts_the_classes_below_k(keys: list[tuple[str, str]], k: int) -> None:
    check = microdata.k_check(keys, k)
    sizes = [keys.count(key) for key in set(keys)]
    assert check.rows == len(keys)
    assert check.classes == len(sizes)
    assert check.smallest_class == (min(sizes) if sizes else None)
    assert check.classes_below_k == sum(1 for size in sizes if size < k)
    assert check.rows_below_k == sum(size for size in sizes if size < k)
    assert check.passed == (bool(keys) and all(size >= k for size in sizes))
