"""The case pages: list, filters and search, the case page, moves, changes, members, opening."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.conftest import Personas, client_for
from tests.consent.factories import cover_travellers
from tests.people.factories import PersonFactory
from wayhome.audit.models import AuditEvent
from wayhome.cases.models import Case, CaseMember, CaseTransition
from wayhome.cases.panels import panels
from wayhome.cases.services import case_transition
from wayhome.cases.workflow import Status
from wayhome.people.models import Person

pytestmark = pytest.mark.django_db

LIST = reverse("cases:case-list")
CREATE = reverse("cases:case-create")


def url(name: str, case: Case) -> str:
    return reverse(f"cases:case-{name}", kwargs={"case_id": case.pk})


def body(response: Any) -> str:
    return str(response.content.decode())


def test_the_list_shows_only_the_users_offices_and_is_audited(personas: Personas) -> None:
    mine = CaseFactory.create(office=personas.office_a)
    theirs = CaseFactory.create(office=personas.office_b)
    response = client_for(personas.caseworker_a).get(LIST)
    assert response.status_code == 200
    page = body(response)
    assert mine.reference in page
    assert url("detail", mine) in page
    assert theirs.reference not in page
    assert str(theirs.pk) not in page
    assert AuditEvent.objects.filter(action="case.list").count() == 1


def test_filters_by_status_category_country_caseworker_mine_and_overdue(
    personas: Personas,
) -> None:
    cw = personas.caseworker_a
    office = personas.office_a
    mine = CaseFactory.create(office=office, assigned_to=cw, destination_country="IQ")
    other = CaseFactory.create(office=office, category="victim_of_trafficking")
    moved = CaseFactory.create(office=office)
    case_transition(actor=cw, case=moved, target=Status.COUNSELLING)
    old = CaseFactory.create(office=office)
    Case.objects.filter(pk=old.pk).update(
        status_changed_at=timezone.now() - datetime.timedelta(days=45)
    )
    client = client_for(cw)

    def listed(**params: str) -> set[str]:
        page = body(client.get(LIST, params))
        return {c.reference for c in (mine, other, moved, old) if c.reference in page}

    assert listed() == {mine.reference, other.reference, moved.reference, old.reference}
    assert listed(status="counselling") == {moved.reference}
    assert listed(category="victim_of_trafficking") == {other.reference}
    assert listed(destination_country="IQ") == {mine.reference}
    assert listed(caseworker=str(cw.pk)) == {mine.reference}
    assert listed(mine="on") == {mine.reference}
    assert listed(overdue="on") == {old.reference}
    assert listed(office=str(office.pk)) == {
        mine.reference,
        other.reference,
        moved.reference,
        old.reference,
    }
    # Another office's id is not a choice: the filter is refused, nothing of B is shown.
    refused = client.get(LIST, {"office": str(personas.office_b.pk)})
    assert "Select a valid choice" in body(refused)


def test_filters_answer_a_partial_for_htmx(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    response = client_for(personas.caseworker_a).get(
        LIST, {"status": "registered"}, headers={"HX-Request": "true"}
    )
    page = body(response)
    assert page.startswith('<section id="case-results"')
    assert case.reference in page
    assert "<html" not in page


def test_reference_search_by_get_and_name_search_by_post(personas: Personas) -> None:
    amina = PersonFactory.create(office=personas.office_a, given_name="Amina", family_name="Yusuf")
    child = PersonFactory.create(office=personas.office_a, given_name="Sara", family_name="Yusuf")
    case = CaseFactory.create(office=personas.office_a, members=[(child, "child")])
    other = CaseFactory.create(office=personas.office_a, principal=amina)
    # Same name in office B: never found by A.
    twin = PersonFactory.create(office=personas.office_b, given_name="Sara", family_name="Yusuf")
    hidden = CaseFactory.create(office=personas.office_b, principal=twin)
    client = client_for(personas.caseworker_a)
    by_reference = body(client.get(LIST, {"reference": case.reference}))
    assert case.reference in by_reference
    assert other.reference not in by_reference
    response = client.post(LIST, {"q": "yusuf SARA"})
    page = body(response)
    assert case.reference in page
    assert other.reference not in page
    assert hidden.reference not in page
    # The name is nowhere in a URL of the answer (links, pager, form actions).
    for link in re.findall(r'(?:href|action|hx-get|hx-post)="([^"]*)"', page):
        assert "yusuf" not in link.lower()
        assert "sara" not in link.lower()
    search = AuditEvent.objects.get(action="case.search")
    assert "yusuf" not in str(search.details).lower()
    assert body(client.post(LIST, {"q": other.reference})).count(other.reference) >= 1


def test_the_list_pages_without_extra_queries(personas: Personas) -> None:
    def queries() -> int:
        client = client_for(personas.caseworker_a)
        client.get(LIST)  # warm the session and the permission cache of the request
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    CaseFactory.create(office=personas.office_a, assigned_to=personas.caseworker_a)
    few = queries()
    for _ in range(6):
        CaseFactory.create(office=personas.office_a, assigned_to=personas.caseworker_a)
    assert queries() == few


def test_the_case_page_shows_members_timeline_and_what_is_missing(personas: Personas) -> None:
    child = PersonFactory.create(office=personas.office_a)
    case = CaseFactory.create(
        office=personas.office_a,
        members=[(child, "child")],
        destination_country="IQ",
        destination_region="IQ-BG",
        destination_place="Karrada",
    )
    case_transition(actor=personas.caseworker_a, case=case, target=Status.COUNSELLING, reason="ok")
    cover_travellers(personas.caseworker_a, case)
    case_transition(actor=personas.caseworker_a, case=case, target=Status.APPLICATION_SUBMITTED)
    response = client_for(personas.caseworker_a).get(url("detail", case))
    assert response.status_code == 200
    page = body(response)
    assert case.reference in page
    assert "Iraq" in page
    assert "Baghdād" in page
    assert "Karrada" in page
    assert reverse("people:person-detail", kwargs={"person_id": child.pk}) in page
    assert "Child" in page
    # Timeline: both moves, with who and the reason.
    assert page.count("<time datetime=") >= 2
    assert "Application submitted" in page
    assert personas.caseworker_a.email in page
    # What is missing to approve, for a caseworker: the approver rule, in words.
    assert "Only a programme manager of the office can approve." in page
    assert AuditEvent.objects.filter(action="case.view", object_id=str(case.pk)).count() == 1


def test_the_case_page_is_404_for_another_office(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    client = client_for(personas.caseworker_b)
    for name in ("detail", "update", "member-add"):
        assert client.get(url(name, case)).status_code == 404
    assert client.post(url("transition", case), {"target": "counselling"}).status_code == 404
    assert not AuditEvent.objects.filter(action="case.view").exists()
    assert Case.objects.get(pk=case.pk).status == Status.REGISTERED


def test_a_move_succeeds_and_redirects(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    response = client_for(personas.caseworker_a).post(
        url("transition", case), {"target": "counselling", "reason": "first meeting"}
    )
    assert response.status_code == 302
    assert response["Location"] == url("detail", case)
    step = CaseTransition.objects.get(case=case)
    assert (step.source, step.target, step.reason) == ("registered", "counselling", "first meeting")


def test_a_refused_move_lists_every_unmet_condition(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    client = client_for(personas.caseworker_a)
    response = client.post(url("transition", case), {"target": "withdrawn", "reason": ""})
    assert response.status_code == 409
    assert "Give the reason for this decision." in body(response)
    assert Case.objects.get(pk=case.pk).status == Status.REGISTERED
    case_transition(actor=personas.caseworker_a, case=case, target=Status.COUNSELLING)
    cover_travellers(personas.caseworker_a, case)
    case_transition(actor=personas.caseworker_a, case=case, target=Status.APPLICATION_SUBMITTED)
    # The submitter, even as a manager too, may not approve: both rules are listed for a
    # caseworker who is not a manager.
    refused = client.post(url("transition", case), {"target": "approved"})
    assert refused.status_code == 409
    assert "Only a programme manager of the office can approve." in body(refused)
    assert "another programme manager must approve it" in body(refused)
    assert Case.objects.get(pk=case.pk).status == Status.APPLICATION_SUBMITTED


def test_a_move_to_a_status_not_allowed_is_a_form_error(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    response = client_for(personas.caseworker_a).post(url("transition", case), {"target": "closed"})
    assert response.status_code == 400
    assert "Select a valid choice" in body(response)
    assert not CaseTransition.objects.exists()


def _edit_data(case: Case, **overrides: str) -> dict[str, str]:
    data = {
        "programme": case.programme,
        "category": case.category,
        "destination_country": case.destination_country,
        "destination_region": "",
        "destination_place": "",
        "assigned_to": "",
        "funding_source": "EU AMIF",
        "notes": "",
        "version": str(case.version),
    }
    data.update(overrides)
    return data


def test_edit_saves_and_a_stale_version_is_refused(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    client = client_for(personas.caseworker_a)
    assert client.get(url("update", case)).status_code == 200
    stale = _edit_data(case)
    saved = client.post(
        url("update", case), _edit_data(case, assigned_to=str(personas.caseworker_a.pk))
    )
    assert saved.status_code == 302
    case.refresh_from_db()
    assert case.assigned_to == personas.caseworker_a
    assert case.funding_source == "EU AMIF"
    refused = client.post(url("update", case), {**stale, "funding_source": "other"})
    assert refused.status_code == 400
    assert "Someone else changed this case" in body(refused)
    case.refresh_from_db()
    assert case.funding_source == "EU AMIF"


def test_edit_refuses_a_region_outside_the_country(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    response = client_for(personas.caseworker_a).post(
        url("update", case), _edit_data(case, destination_region="IQ-BG")
    )
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.destination_region == ""
    assert case.funding_source == ""


def test_add_member_rules(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    client = client_for(personas.caseworker_a)
    free = PersonFactory.create(office=personas.office_a)
    busy = CaseFactory.create(office=personas.office_a).principal
    stranger = PersonFactory.create(office=personas.office_b)
    page = body(client.get(url("member-add", case)))
    assert str(free.pk) in page
    assert str(busy.pk) not in page
    assert str(stranger.pk) not in page
    for person in (busy, stranger):
        data = {"person": person.pk, "relationship": "child"}
        refused = client.post(url("member-add", case), data)
        assert refused.status_code == 400
    no_relationship = client.post(url("member-add", case), {"person": free.pk, "relationship": ""})
    assert no_relationship.status_code == 400
    added = client.post(url("member-add", case), {"person": free.pk, "relationship": "spouse"})
    assert added.status_code == 302
    assert CaseMember.objects.filter(case=case, person=free, relationship="spouse").exists()
    assert CaseMember.objects.filter(case=case).count() == 2


def test_add_member_search_by_name_is_posted(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    wanted = PersonFactory.create(office=personas.office_a, given_name="Omar", family_name="Haddad")
    other = PersonFactory.create(office=personas.office_a, given_name="Selam", family_name="Haile")
    page = body(
        client_for(personas.caseworker_a).post(
            url("member-add", case), {"q": "haddad omar", "action": "search"}
        )
    )
    assert str(wanted.pk) in page
    assert str(other.pk) not in page
    assert CaseMember.objects.filter(case=case).count() == 1


def test_members_cannot_be_added_after_submission(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    case_transition(actor=personas.caseworker_a, case=case, target=Status.COUNSELLING)
    cover_travellers(personas.caseworker_a, case)
    case_transition(actor=personas.caseworker_a, case=case, target=Status.APPLICATION_SUBMITTED)
    free = PersonFactory.create(office=personas.office_a)
    response = client_for(personas.caseworker_a).post(
        url("member-add", case), {"person": free.pk, "relationship": "child"}
    )
    assert response.status_code == 400
    assert "before the application is submitted" in body(response)
    assert CaseMember.objects.filter(case=case).count() == 1


def _create_data(principal: Person, **overrides: str) -> dict[str, str]:
    data = {
        "action": "create",
        "office": str(principal.office_id),
        "principal": str(principal.pk),
        "programme": "AVRR",
        "category": "stranded",
        "destination_country": "IQ",
        "destination_region": "IQ-BG",
        "destination_place": "الكرادة",
        "assigned_to": "",
        "funding_source": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_opening_a_case_for_a_family(personas: Personas) -> None:
    principal = PersonFactory.create(office=personas.office_a)
    child = PersonFactory.create(office=personas.office_a)
    client = client_for(personas.caseworker_a)
    page = body(client.get(CREATE))
    assert str(principal.pk) in page
    assert reverse("people:person-create") in page  # "Register a person first"
    response = client.post(
        CREATE,
        _create_data(
            principal,
            member_0=str(child.pk),
            relationship_0="child",
            assigned_to=str(personas.caseworker_a.pk),
        ),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == url("detail", case)
    assert case.destination_place == "الكرادة"
    assert case.assigned_to == personas.caseworker_a
    assert sorted(case.members.values_list("relationship", flat=True)) == ["child", "principal"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"destination_country": "XX"}, "destination_country"),
        ({"destination_region": "NG-LA"}, "destination_region"),
        ({"category": "tourist"}, "category"),
        ({"relationship_0": "child"}, "member_0"),
        ({"notes": "x" * 5001}, "notes"),
    ],
)
def test_opening_a_case_with_bad_input_saves_nothing(
    personas: Personas, overrides: dict[str, str], field: str
) -> None:
    principal = PersonFactory.create(office=personas.office_a)
    response = client_for(personas.caseworker_a).post(CREATE, _create_data(principal, **overrides))
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in body(response) or f"id_{field}" in body(response)
    assert response.context["form"].errors.get(field)
    assert not Case.objects.exists()


def test_the_wizard_offers_only_free_people_of_the_office_and_finds_by_posted_name(
    personas: Personas,
) -> None:
    busy = CaseFactory.create(office=personas.office_a).principal
    stranger = PersonFactory.create(office=personas.office_b)
    wanted = PersonFactory.create(office=personas.office_a, given_name="Saba", family_name="Kidane")
    other = PersonFactory.create(office=personas.office_a)
    client = client_for(personas.caseworker_a)
    page = body(client.get(CREATE))
    assert str(busy.pk) not in page
    assert str(stranger.pk) not in page
    found = body(client.post(CREATE, {"action": "search", "q": "kidane saba"}))
    assert str(wanted.pk) in found
    assert str(other.pk) not in found
    assert Case.objects.count() == 1
    refused = client.post(CREATE, _create_data(busy))
    assert refused.status_code == 400
    refused = client.post(CREATE, _create_data(stranger, office=str(personas.office_a.pk)))
    assert refused.status_code == 400
    assert Case.objects.count() == 1


def test_the_wizard_needs_case_create_and_regions_follow_the_country(personas: Personas) -> None:
    assert client_for(personas.auditor_a).get(CREATE).status_code == 404
    regions = client_for(personas.caseworker_a).get(
        reverse("cases:case-regions"), {"destination_country": "IQ"}
    )
    assert 'value="IQ-BG"' in body(regions)
    assert 'value="NG-LA"' not in body(regions)


def test_registered_panels_show_on_the_case_page(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    panels.register(
        "test-panel",
        template="cases/case_regions.html",
        context=lambda request, c: {"choices": [("x-panel", c.reference)], "selected": ""},
    )
    try:
        page = body(client_for(personas.caseworker_a).get(url("detail", case)))
        assert 'value="x-panel"' in page
        assert "x-panel" not in body(client_for(personas.auditor_a).get(LIST))
    finally:
        panels.unregister("test-panel")


def test_the_case_page_needs_no_more_queries_for_more_members_and_moves(
    personas: Personas,
) -> None:
    def queries(case: Case) -> int:
        client = client_for(personas.caseworker_a)
        client.get(url("detail", case))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("detail", case)).status_code == 200
        return len(captured)

    small = CaseFactory.create(office=personas.office_a)
    case_transition(actor=personas.caseworker_a, case=small, target=Status.COUNSELLING)
    family = [(PersonFactory.create(office=personas.office_a), "child") for _ in range(5)]
    large = CaseFactory.create(office=personas.office_a, members=family)
    case_transition(actor=personas.caseworker_a, case=large, target=Status.COUNSELLING)
    case_transition(actor=personas.caseworker_a, case=large, target=Status.ON_HOLD, reason="r")
    case_transition(actor=personas.caseworker_a, case=large, target=Status.COUNSELLING)
    assert queries(large) == queries(small)


def test_the_wizard_preselects_a_person_registered_just_before(personas: Personas) -> None:
    """After "Register a person first", registration comes back with ``?person=<id>``."""
    person = PersonFactory.create(office=personas.office_a)
    stranger = PersonFactory.create(office=personas.office_b)
    client = client_for(personas.caseworker_a)
    page = body(client.get(CREATE, {"person": str(person.pk)}))
    assert f'<option value="{person.pk}" selected>' in page
    assert f"{reverse('people:person-create')}?next=" in page
    ignored = body(client.get(CREATE, {"person": [str(stranger.pk), "not-an-id"]}))
    assert f'<option value="{stranger.pk}"' not in ignored


def test_registering_from_the_wizard_comes_back_with_the_people_chosen(
    personas: Personas,
) -> None:
    """Register the principal, then a spouse, from the wizard: both come back chosen (the
    principal first, the spouse in the first member row), and the case opens with them."""
    from urllib.parse import parse_qs, unquote, urlsplit

    from tests.people.test_views import valid_data

    client = client_for(personas.caseworker_a)
    office = str(personas.office_a.pk)

    def register_from(wizard_page: str, **names: str) -> str:
        found = re.search(r'people/new/\?next=([^"]+)"', wizard_page)
        assert found, "the wizard links to registration with a way back"
        back = unquote(found.group(1).replace("&amp;", "&"))
        answer = client.post(
            reverse("people:person-create"),
            {"step": "register", "office": office, "next": back, **valid_data(**names)},
        )
        assert answer.status_code == 302
        return str(answer["Location"])

    first = register_from(body(client.get(CREATE)), given_name="Hana", family_name="Idris")
    mother = Person.objects.get(pk=parse_qs(urlsplit(first).query)["person"][-1])
    assert urlsplit(first).path == CREATE
    page = body(client.get(first))
    assert f'<option value="{mother.pk}" selected>' in page

    second = register_from(page, given_name="Omar", family_name="Idris", sex="male")
    assert parse_qs(urlsplit(second).query)["person"][0] == str(mother.pk)
    father = Person.objects.get(pk=parse_qs(urlsplit(second).query)["person"][-1])
    page = body(client.get(second))
    principal = re.search(r'<select name="principal".*?</select>', page, re.S)
    member = re.search(r'<select name="member_0".*?</select>', page, re.S)
    assert principal
    assert f'<option value="{mother.pk}" selected>' in principal.group(0)
    assert member
    assert f'<option value="{father.pk}" selected>' in member.group(0)


def test_registration_ignores_a_next_that_leaves_the_site(personas: Personas) -> None:
    from tests.people.test_views import valid_data

    client = client_for(personas.caseworker_a)
    answer = client.post(
        reverse("people:person-create"),
        {
            "step": "register",
            "office": str(personas.office_a.pk),
            "next": "https://evil.example/cases/new/",
            **valid_data(),
        },
    )
    assert answer.status_code == 302
    assert answer["Location"].startswith("/people/")
    assert "evil" not in answer["Location"]
