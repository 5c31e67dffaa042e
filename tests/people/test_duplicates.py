"""Duplicate detection through the database: keys, candidates, enquiries, decisions, history."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.conftest import Personas, client_for
from tests.people.factories import DuplicateDecisionFactory, MatchEnquiryFactory, PersonFactory
from tests.people.noisy import generate
from wayhome.audit.models import AuditEvent
from wayhome.core import crypto
from wayhome.people.duplicates import (
    duplicate_candidates,
    identity_of,
    match_keys,
)
from wayhome.people.history import previously_assisted
from wayhome.people.links import linked_person_ids
from wayhome.people.models import MatchEnquiry, MatchKey, Person
from wayhome.people.services import (
    duplicate_decide,
    duplicate_decision_reverse,
    match_enquiry_answer,
    person_update,
)

pytestmark = pytest.mark.django_db


def _keys(person: Person) -> set[str]:
    return set(MatchKey.objects.filter(person=person).values_list("key", flat=True))


def _data(person: Person) -> dict[str, Any]:
    return {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth,
        "dob_precision": person.dob_precision,
        "sex": person.sex,
        "nationality": person.nationality,
    }


def test_match_keys_follow_create_and_update(personas: Personas) -> None:
    person = PersonFactory.create(office=personas.office_a, given_name="Amina", family_name="Yusuf")
    before = _keys(person)
    assert before
    assert before == match_keys(identity_of(person))
    person_update(actor=personas.caseworker_a, person=person, other_names=["Aminat Yusufu"])
    changed = Person.objects.get(pk=person.pk)
    assert _keys(changed) == match_keys(identity_of(changed)) != before
    person_update(actor=personas.caseworker_a, person=changed, family_name="Okafor")
    final = Person.objects.get(pk=person.pk)
    assert _keys(final) == match_keys(identity_of(final))


def test_rebuild_match_keys_restores_lost_keys(personas: Personas) -> None:
    from django.core.management import call_command

    person = PersonFactory.create(office=personas.office_a)
    expected = _keys(person)
    MatchKey.objects.all().delete()
    call_command("rebuild_match_keys", batch=1)
    assert _keys(person) == expected


def _register(record: Any, office: Any) -> Person:
    identity = record.identity
    parts = identity.names[0].split()
    return PersonFactory.create(
        office=office,
        given_name=parts[0],
        family_name=" ".join(parts[1:]) or parts[0],
        date_of_birth=identity.date_of_birth,
        dob_precision=str(identity.dob_precision),
        sex={"F": "female", "M": "male"}.get(identity.sex, "unknown"),
        nationality=identity.nationalities[0],
    )


def test_candidates_come_from_the_index_and_only_candidates_are_decrypted(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = generate(300, seed=7)
    people = [_register(record, personas.office_a) for record in records]
    first: dict[int, int] = {}
    repeats = []
    for index, record in enumerate(records):
        if record.person in first:
            repeats.append((first[record.person], index))
        else:
            first[record.person] = index
    assert len(repeats) > 30
    calls = {"n": 0}
    real = crypto.decrypt

    def counting(blob: bytes, context: str) -> bytes:
        calls["n"] += 1
        return real(blob, context)

    found = 0
    data = [_data(p) for p in people]  # decrypted before counting starts
    monkeypatch.setattr(crypto, "decrypt", counting)
    for original, repeat in repeats:
        calls["n"] = 0
        candidates = duplicate_candidates(
            personas.caseworker_a, data[repeat], exclude_person=people[repeat]
        )
        ids = {c.person.pk for c in candidates if c.person}
        found += people[original].pk in ids
        # at most 60 candidates, each with at most its 5 encrypted identity values
        assert calls["n"] <= 60 * 5 < len(people) * 5
    assert found / len(repeats) >= 0.9


def test_another_offices_match_shows_only_the_office(personas: Personas) -> None:
    theirs = PersonFactory.create(office=personas.office_b, given_name="Amina", family_name="Yusuf")
    candidates = duplicate_candidates(personas.caseworker_a, _data(theirs))
    assert len(candidates) == 1
    assert candidates[0].person is None
    assert candidates[0].office == personas.office_b
    assert str(theirs.pk) not in candidates[0].reference
    event = AuditEvent.objects.filter(action="person.duplicate_check").latest("pk")
    assert event.details == {"candidates": 1}
    page = client_for(personas.caseworker_a).post(
        reverse("people:person-create"),
        {"step": "check", "office": str(personas.office_a.pk), **_form(theirs)},
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert personas.office_b.name in body
    assert "Ask office" in body
    assert str(theirs.pk) not in body
    assert "Amina" in body
    assert 'value="Amina"' in body
    assert not Person.objects.filter(office=personas.office_a)


def _form(person: Person) -> dict[str, str]:
    return {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "",
        "dob_precision": person.dob_precision,
        "sex": person.sex,
        "nationality": person.nationality,
    }


def test_two_step_registration_saves_nothing_first_and_puts_no_name_in_a_url(
    personas: Personas,
) -> None:
    mine = PersonFactory.create(office=personas.office_a, given_name="Amina", family_name="Yusuf")
    client = client_for(personas.caseworker_a)
    url = reverse("people:person-create")
    assert "Amina" not in url
    bad = client.post(
        url,
        {
            "step": "check",
            "office": str(personas.office_a.pk),
            **_form(mine),
            "date_of_birth": "2999-01-01",
            "nationality": "XX",
        },
    )
    assert bad.status_code == 400
    assert "Select a valid choice." in bad.content.decode()
    page = client.post(url, {"step": "check", "office": str(personas.office_a.pk), **_form(mine)})
    body = page.content.decode()
    assert reverse("people:person-detail", kwargs={"person_id": mine.pk}) in body
    assert 'name="step" value="register"' in body
    assert Person.objects.count() == 1
    done = client.post(
        url, {"step": "register", "office": str(personas.office_a.pk), **_form(mine)}
    )
    assert done.status_code == 302
    assert "Amina" not in done["Location"]
    assert Person.objects.count() == 2


def test_duplicate_check_query_count_does_not_grow_with_candidates(personas: Personas) -> None:
    def queries(copies: int) -> int:
        Person.objects.all().delete()
        for _ in range(copies):
            PersonFactory.create(
                office=personas.office_a,
                given_name="Amina",
                family_name="Yusuf",
                date_of_birth=datetime.date(1990, 5, 17),
            )
        PersonFactory.create(
            office=personas.office_b,
            given_name="Amina",
            family_name="Yusuf",
            date_of_birth=datetime.date(1990, 5, 17),
        )
        data = {
            "given_name": "Amina",
            "family_name": "Yusuf",
            "date_of_birth": datetime.date(1990, 5, 17),
            "sex": "female",
            "nationality": "NG",
        }
        with CaptureQueriesContext(connection) as captured:
            found = duplicate_candidates(personas.caseworker_a, data)
        assert len(found) == copies + 1
        return len(captured)

    queries(1)  # warms the user's permission cache
    assert queries(2) == queries(8)


def test_enquiry_is_seen_and_answered_by_the_asked_office_only(personas: Personas) -> None:
    enquiry = MatchEnquiryFactory.create(office=personas.office_a)
    assert enquiry.to_office == personas.office_a
    assert enquiry.status == MatchEnquiry.Status.OPEN
    url = reverse("people:enquiry-detail", kwargs={"match_enquiry_id": enquiry.pk})
    assert client_for(personas.caseworker_b).get(url).status_code == 404
    client = client_for(personas.caseworker_a)
    assert str(enquiry.pk) in client.get(reverse("people:enquiry-list")).content.decode()
    page = client.get(url).content.decode()
    assert str(enquiry.candidate_id) in page  # the asked office may open its own record
    answered = client.post(url, {"answer": "Likely the same; call our office."})
    assert answered.status_code == 302
    assert MatchEnquiry.objects.get().status == MatchEnquiry.Status.ANSWERED
    assert AuditEvent.objects.filter(action="person.match_enquiry_answer").count() == 1
    with pytest.raises(PermissionDenied):
        match_enquiry_answer(actor=personas.caseworker_b, enquiry=enquiry, answer="x")


def test_asker_sees_the_enquiry_but_not_the_candidate(personas: Personas) -> None:
    theirs = PersonFactory.create(office=personas.office_b, given_name="Amina", family_name="Yusuf")
    client = client_for(personas.caseworker_a)
    [candidate] = duplicate_candidates(personas.caseworker_a, _data(theirs))
    response = client.post(reverse("people:enquiry-create"), {"reference": candidate.reference})
    enquiry = MatchEnquiry.objects.get()
    assert enquiry.candidate == theirs
    assert enquiry.from_office == personas.office_a
    page = client.get(response["Location"]).content.decode()
    assert str(theirs.pk) not in page
    assert "Amina" not in page
    forged = client.post(reverse("people:enquiry-create"), {"reference": "x" + candidate.reference})
    assert forged.status_code == 302
    assert MatchEnquiry.objects.count() == 1


def test_asking_from_the_registration_page_answers_in_place(personas: Personas) -> None:
    """With HTMX the enquiry is sent without leaving registration (what was typed stays): the
    answer is a fragment that replaces the enquiry form; a forged reference gets an alert."""
    theirs = PersonFactory.create(office=personas.office_b, given_name="Amina", family_name="Yusuf")
    client = client_for(personas.caseworker_a)
    [candidate] = duplicate_candidates(personas.caseworker_a, _data(theirs))
    url = reverse("people:enquiry-create")
    sent = client.post(url, {"reference": candidate.reference}, HTTP_HX_REQUEST="true")
    assert sent.status_code == 200
    enquiry = MatchEnquiry.objects.get()
    html = sent.content.decode()
    assert 'role="status"' in html
    assert "Your enquiry is sent to Office B." in html
    assert reverse("people:enquiry-detail", kwargs={"match_enquiry_id": enquiry.pk}) in html
    assert "<html" not in html
    assert "Amina" not in html
    forged = client.post(url, {"reference": "x" + candidate.reference}, HTTP_HX_REQUEST="true")
    assert forged.status_code == 200  # HTMX swaps only 2xx answers
    assert 'role="alert"' in forged.content.decode()
    assert "no longer valid" in forged.content.decode()
    assert MatchEnquiry.objects.count() == 1


def test_distinct_suppresses_same_links_transitively_and_reverse_restores(
    personas: Personas,
) -> None:
    a, b, c = (
        PersonFactory.create(
            office=personas.office_a,
            given_name="Amina",
            family_name="Yusuf",
            date_of_birth=datetime.date(1990, 5, 17),
        )
        for _ in range(3)
    )
    actor = personas.caseworker_a
    assert {
        x.person.pk for x in duplicate_candidates(actor, _data(a), exclude_person=a) if x.person
    } == {b.pk, c.pk}
    distinct = duplicate_decide(actor=actor, person=a, other=b, outcome="distinct")
    assert {
        x.person.pk for x in duplicate_candidates(actor, _data(a), exclude_person=a) if x.person
    } == {c.pk}
    duplicate_decision_reverse(actor=actor, decision=distinct)
    first = duplicate_decide(actor=actor, person=a, other=b, outcome="same")
    duplicate_decide(actor=actor, person=b, other=c, outcome="same")
    assert linked_person_ids(a) == {a.pk, b.pk, c.pk}
    page = client_for(actor).get(reverse("people:person-detail", kwargs={"person_id": a.pk}))
    assert reverse("people:person-detail", kwargs={"person_id": c.pk}) in page.content.decode()
    client_for(actor).post(
        reverse("people:duplicate-decision-reverse", kwargs={"duplicate_decision_id": first.pk})
    )
    assert linked_person_ids(a) == {a.pk}
    assert linked_person_ids(b) == {b.pk, c.pk}
    assert AuditEvent.objects.filter(action="person.duplicate_reverse").count() == 4


def test_deciding_needs_change_permission_in_both_offices(personas: Personas) -> None:
    mine = PersonFactory.create(office=personas.office_a)
    theirs = PersonFactory.create(office=personas.office_b)
    url = reverse("people:person-duplicates", kwargs={"person_id": mine.pk})
    response = client_for(personas.caseworker_a).post(
        url, {"other": str(theirs.pk), "outcome": "same"}
    )
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        duplicate_decide(actor=personas.caseworker_a, person=mine, other=theirs, outcome="same")
    decision = DuplicateDecisionFactory.create(office=personas.office_b)
    reverse_url = reverse(
        "people:duplicate-decision-reverse", kwargs={"duplicate_decision_id": decision.pk}
    )
    assert client_for(personas.caseworker_a).post(reverse_url).status_code == 404


def _departed_case(person: Person, office: Any, *, years_ago: int) -> Any:
    from wayhome.cases.models import CaseTransition

    case = CaseFactory.create(office=office, principal=person)
    case.status = "closed"
    case.save(update_fields=["status"])
    moved = CaseTransition.objects.create(case=case, source="ready_to_depart", target="departed")
    CaseTransition.objects.filter(pk=moved.pk).update(
        occurred_at=timezone.now() - datetime.timedelta(days=365 * years_ago + 10)
    )
    return case


def test_previously_assisted_follows_links_and_the_look_back(
    personas: Personas, settings: Any
) -> None:
    person = PersonFactory.create(
        office=personas.office_a,
        given_name="Amina",
        family_name="Yusuf",
        date_of_birth=datetime.date(1990, 5, 17),
    )
    other = PersonFactory.create(
        office=personas.office_a,
        given_name="Amina",
        family_name="Yusuf",
        date_of_birth=datetime.date(1990, 5, 17),
    )
    recent = _departed_case(other, personas.office_a, years_ago=2)
    _departed_case(other, personas.office_a, years_ago=7)
    CaseFactory.create(office=personas.office_a, principal=other)  # registered: not assisted
    assert previously_assisted(person) == []
    duplicate_decide(actor=None, person=person, other=other, outcome="same")
    settings.ASSISTED_LOOKBACK_YEARS = 5
    assert [item.reference for item in previously_assisted(person)] == [recent.reference]
    assert len(previously_assisted(person, years=10)) == 2
    newcomer = {**_data(person)}
    flagged = [c for c in duplicate_candidates(personas.caseworker_a, newcomer) if c.assisted]
    assert flagged
    assert "assisted in" in flagged[0].assisted_label
