"""Eligibility over the API: rule sets, decisions, overrides."""

from __future__ import annotations

import pytest

from tests.cases.factories import CaseFactory
from tests.conftest import Personas
from tests.eligibility.factories import an_admin
from tests.people.test_api import Api
from wayhome.eligibility.models import EligibilityDecision, RuleSet

pytestmark = pytest.mark.django_db

BASE = "/api/v1/eligibility"
RULES = {
    "allowed_categories": {"categories": ["stranded"]},
    "not_assisted_within_years": {"years": 2},
}


def test_everyone_reads_the_rules(personas: Personas) -> None:
    api = Api(personas.caseworker_b)
    every = api.get(f"{BASE}/rulesets")
    assert every.status_code == 200
    assert sorted((r["programme"], r["version"]) for r in every.json()) == [
        ("AVR", 1),
        ("AVRR", 1),
        ("VHR", 1),
    ]
    active = api.get(f"{BASE}/rulesets/AVRR")
    assert active.status_code == 200
    assert active.json()["rules"]["excluded_categories"] == {"categories": ["regular"]}
    assert api.get(f"{BASE}/rulesets/XYZ").status_code == 404


def test_administrators_save_new_versions_with_field_errors(personas: Personas) -> None:
    admin = Api(an_admin())
    created = admin.send("post", f"{BASE}/rulesets/AVRR", {"rules": RULES, "note": "Narrower"})
    assert created.status_code == 201
    assert created.json()["version"] == 2
    assert admin.get(f"{BASE}/rulesets/AVRR").json()["version"] == 2
    bad = admin.send(
        "post",
        f"{BASE}/rulesets/AVRR",
        {"rules": {"not_assisted_within_years": {"years": 0}, "colour": {}}, "note": "x"},
    )
    assert bad.status_code == 422
    assert {d["field"] for d in bad.json()["error"]["details"]} == {"rules"}
    bad = admin.send(
        "post",
        f"{BASE}/rulesets/AVRR",
        {"rules": {"not_assisted_within_years": {"years": 0}}, "note": "x"},
    )
    assert bad.status_code == 422
    assert [d["field"] for d in bad.json()["error"]["details"]] == [
        "not_assisted_within_years.years"
    ]
    malformed = admin.send("post", f"{BASE}/rulesets/AVRR", "{not json")
    assert malformed.status_code == 400
    manager = Api(personas.manager_a)
    refused = manager.send("post", f"{BASE}/rulesets/AVRR", {"rules": RULES, "note": "Mine"})
    assert refused.status_code == 403
    assert RuleSet.objects.filter(programme="AVRR").count() == 2


def test_decide_list_and_override(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a, category="regular")
    url = f"{BASE}/cases/{case.pk}/decisions"
    caseworker = Api(personas.caseworker_a)
    assert caseworker.get(url).json() == []
    decided = caseworker.send("post", url, {})
    assert decided.status_code == 201
    body = decided.json()
    assert (body["outcome"], body["programme"], body["ruleset_version"]) == (
        "not_eligible",
        "AVRR",
        1,
    )
    assert {r["kind"]: r["passed"] for r in body["results"]}["excluded_categories"] is False
    assert [d["id"] for d in caseworker.get(url).json()] == [body["id"]]
    assert caseworker.send("post", f"{url}/override", {"reason": "x"}).status_code == 403
    manager = Api(personas.manager_a)
    empty = manager.send("post", f"{url}/override", {"reason": ""})
    assert empty.status_code == 422
    blank = manager.send("post", f"{url}/override", {"reason": "   "})
    assert blank.status_code == 422
    assert [d["field"] for d in blank.json()["error"]["details"]] == ["reason"]
    done = manager.send("post", f"{url}/override", {"reason": "Medical needs"})
    assert done.status_code == 200
    assert done.json()["positive"] is True
    again = manager.send("post", f"{url}/override", {"reason": "Again"})
    assert again.status_code == 409


def test_another_office_gets_404(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    url = f"{BASE}/cases/{case.pk}/decisions"
    api = Api(personas.caseworker_b)
    assert api.get(url).status_code == 404
    assert api.send("post", url, {}).status_code == 404
    assert api.send("post", f"{url}/override", {"reason": "x"}).status_code == 404
    assert not EligibilityDecision.objects.exists()
