"""The rules pages and a case's decision page."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from tests.cases.factories import CaseFactory
from tests.conftest import Personas, client_for
from tests.eligibility.factories import an_admin
from wayhome.eligibility.models import EligibilityDecision, RuleSet

pytestmark = pytest.mark.django_db


def rules_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "allowed_categories-enabled": "on",
        "allowed_categories-categories": ["stranded", "irregular"],
        "allowed_destinations-enabled": "on",
        "allowed_destinations-countries": "NG, gh",
        "allowed_destinations-excluded_regions": "",
        "not_assisted_within_years-enabled": "on",
        "not_assisted_within_years-years": "4",
        "required_documents-match": "all",
        "note": "Stranded and irregular migrants to Nigeria and Ghana",
    }
    data.update(changes)
    return data


def test_everyone_signed_in_reads_the_rules(personas: Personas) -> None:
    client = client_for(personas.caseworker_b)
    page = client.get("/eligibility/rules/")
    assert page.status_code == 200
    assert b"/eligibility/rules/AVRR/1/" in page.content
    assert b"Change the rules" not in page.content
    detail = client.get("/eligibility/rules/AVRR/1/")
    assert detail.status_code == 200
    assert "Regular migrant wishing to return" in detail.content.decode()
    assert client.get("/eligibility/rules/AVRR/9/").status_code == 404
    assert client.get("/eligibility/rules/NOPE/1/").status_code == 404


def test_an_administrator_saves_a_new_version_with_a_form_per_rule() -> None:
    client = client_for(an_admin())
    form = client.get("/eligibility/rules/AVRR/new/")
    assert form.status_code == 200
    assert b'name="not_assisted_within_years-years"' in form.content
    assert b'value="5"' in form.content  # starts from the active version
    saved = client.post("/eligibility/rules/AVRR/new/", rules_form())
    assert saved.status_code == 302
    assert saved["Location"] == "/eligibility/rules/AVRR/2/"
    ruleset = RuleSet.objects.get(programme="AVRR", version=2)
    assert ruleset.rules == {
        "allowed_categories": {"categories": ["stranded", "irregular"]},
        "allowed_destinations": {"countries": ["GH", "NG"], "excluded_regions": []},
        "not_assisted_within_years": {"years": 4},
    }
    assert ruleset.note.startswith("Stranded")


def test_bad_rules_get_errors_on_their_fields_and_nothing_is_saved() -> None:
    client = client_for(an_admin())
    answer = client.post(
        "/eligibility/rules/AVRR/new/",
        rules_form(**{"allowed_destinations-countries": "NG XX", "note": ""}),
    )
    assert answer.status_code == 422
    page = answer.content.decode()
    assert 'id="id_note_error"' in page  # note is required
    answer = client.post(
        "/eligibility/rules/AVRR/new/",
        rules_form(
            **{"allowed_destinations-countries": "NG XX", "allowed_categories-categories": []}
        ),
    )
    assert answer.status_code == 422
    page = answer.content.decode()
    assert 'id="id_allowed_destinations-countries_error"' in page
    assert "XX is not an ISO 3166-1" in page
    assert 'id="id_allowed_categories-categories_error"' in page
    assert RuleSet.objects.filter(programme="AVRR").count() == 1


def test_only_administrators_open_the_editor(personas: Personas) -> None:
    for user in (personas.manager_a, personas.caseworker_a):
        client = client_for(user)
        assert client.get("/eligibility/rules/AVRR/new/").status_code == 403
        assert client.post("/eligibility/rules/AVRR/new/", rules_form()).status_code == 403
    assert RuleSet.objects.filter(programme="AVRR").count() == 1


def test_deciding_and_overriding_on_the_case_page(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a, category="regular")
    url = f"/eligibility/cases/{case.pk}/"
    caseworker = client_for(personas.caseworker_a)
    page = caseworker.get(url)
    assert page.status_code == 200
    assert b"Decide now" in page.content
    decided = caseworker.post(f"{url}decide/")
    assert decided.status_code == 302
    text = caseworker.get(url).content.decode()
    assert "This programme excludes the migrant category" in text
    assert "Override this decision" not in text  # a caseworker may not override
    assert caseworker.post(f"{url}override/", {"reason": "x"}).status_code == 403
    manager = client_for(personas.manager_a)
    assert "Override this decision" in manager.get(url).content.decode()
    empty = manager.post(f"{url}override/", {"reason": ""})
    assert empty.status_code == 422
    assert b'id="id_reason_error"' in empty.content
    assert not EligibilityDecision.objects.get(case=case).override
    done = manager.post(f"{url}override/", {"reason": "Needs dialysis, unavailable here"})
    assert done.status_code == 302
    assert EligibilityDecision.objects.get(case=case).override
    assert "Needs dialysis" in manager.get(url).content.decode()


def test_another_office_gets_404(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    client = client_for(personas.caseworker_b)
    url = f"/eligibility/cases/{case.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(f"{url}decide/").status_code == 404
    assert client.post(f"{url}override/", {"reason": "x"}).status_code == 404
    assert not EligibilityDecision.objects.exists()


def test_the_case_panel_shows_the_latest_decision_and_what_is_missing(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a, category="regular")
    panel = Template('{% include "eligibility/case_panel.html" with case=case %}')
    html = panel.render(Context({"case": case}))
    assert "Eligibility has not been decided yet." in html
    caseworker = client_for(personas.caseworker_a)
    caseworker.post(f"/eligibility/cases/{case.pk}/decide/")
    html = panel.render(Context({"case": case}))
    assert "Not eligible" in html
    assert "This programme excludes the migrant category" in html
    assert f"/eligibility/cases/{case.pk}/" in html
