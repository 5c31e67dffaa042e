"""The officer's pages and the API: only data protection officers of the office see and change
rules, holds and runs (others 404 or an empty list); bad input answers 400/422 and saves
nothing; the dry-run report shows case references and rules, never a name."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.conftest import Personas, client_for
from tests.retention.factories import RetentionRuleFactory, close_case, officer
from wayhome.api.services import token_issue
from wayhome.audit.models import AuditEvent
from wayhome.core.navigation import NAVIGATION
from wayhome.retention.models import LegalHold, RetentionItem, RetentionRule, RetentionRun

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.localdate() - datetime.timedelta(days=6 * 365)


def _api(user: Any) -> tuple[Any, dict[str, str]]:
    _token, secret = token_issue(actor=None, user=user, name="tests")
    return client_for(user), {"Authorization": f"Bearer {secret}"}


def test_the_rule_pages_are_the_officers_and_refuse_bad_input(personas: Personas) -> None:
    dpo = client_for(officer(personas.office_a))
    assert dpo.get("/retention/").status_code == 200
    assert client_for(personas.manager_a).get("/retention/").status_code == 404
    bad = dpo.post(
        "/retention/",
        {"office": personas.office_a.pk, "record_type": "closed_cases", "amount": 0},
    )
    assert bad.status_code == 400
    assert not RetentionRule.objects.exists()
    good = dpo.post(
        "/retention/",
        {
            "office": personas.office_a.pk,
            "record_type": "closed_cases",
            "programme": "",
            "amount": 5,
            "unit": "years",
        },
    )
    assert good.status_code == 302
    rule = RetentionRule.objects.get()
    # Another office's officer may not add a rule to office A, nor open it.
    dpo_b = client_for(officer(personas.office_b))
    other = dpo_b.post(
        "/retention/",
        {
            "office": personas.office_a.pk,
            "record_type": "closed_cases",
            "amount": 1,
            "unit": "days",
        },
    )
    assert other.status_code == 400
    assert dpo_b.get(f"/retention/rules/{rule.pk}/").status_code == 404
    edit = dpo.post(f"/retention/rules/{rule.pk}/", {"amount": 3, "unit": "years", "version": 1})
    assert edit.status_code == 302
    rule.refresh_from_db()
    assert (rule.amount, rule.active, rule.version) == (3, False, 2)
    stale = dpo.post(f"/retention/rules/{rule.pk}/", {"amount": 4, "unit": "years", "version": 1})
    assert stale.status_code == 409
    assert any(item.url_name == "retention:rule-list" for item in NAVIGATION)


def test_holds_are_placed_read_and_lifted_on_the_pages(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    dpo = client_for(officer(personas.office_a))
    unknown = dpo.post("/retention/holds/", {"reference": "NOPE-1", "reason": "x" * 20})
    assert unknown.status_code == 400
    placed = dpo.post(
        "/retention/holds/", {"reference": case.reference, "reason": "Court order 5/2026 here."}
    )
    assert placed.status_code == 302
    hold = LegalHold.objects.get()
    page = dpo.get(f"/retention/holds/{hold.pk}/")
    assert "Court order 5/2026 here." in page.content.decode()
    assert AuditEvent.objects.filter(action="retention.hold_view", object_id=str(hold.pk)).exists()
    assert (
        client_for(officer(personas.office_b)).get(f"/retention/holds/{hold.pk}/").status_code
        == 404
    )
    # An officer of B cannot hold A's case by its reference either.
    refused = client_for(officer(personas.office_b)).post(
        "/retention/holds/", {"reference": case.reference, "reason": "x" * 20}
    )
    assert refused.status_code == 400
    assert dpo.post(f"/retention/holds/{hold.pk}/", {"version": 1}).status_code == 302
    hold.refresh_from_db()
    assert hold.lifted_at is not None


def test_the_dry_run_page_reports_references_and_no_names(personas: Personas) -> None:
    RetentionRuleFactory.create(office=personas.office_a)
    case = close_case(CaseFactory.create(office=personas.office_a), LONG_AGO)
    dpo = client_for(officer(personas.office_a))
    assert dpo.post("/retention/runs/", {"office": personas.office_a.pk}).status_code == 302
    run = RetentionRun.objects.get()
    assert run.dry_run
    assert RetentionItem.objects.get(run=run).case_id == case.pk
    report = dpo.get(f"/retention/runs/{run.pk}/").content.decode()
    assert case.reference in report
    assert case.principal.family_name not in report
    assert (
        client_for(officer(personas.office_b)).get(f"/retention/runs/{run.pk}/").status_code == 404
    )
    assert dpo.post("/retention/runs/", {"office": personas.office_b.pk}).status_code == 400


def test_the_api_manages_rules_holds_and_dry_runs_within_the_office(personas: Personas) -> None:
    client, headers = _api(officer(personas.office_a))
    bad = client.post(
        "/api/v1/retention/rules",
        {"office_id": str(personas.office_a.pk), "amount": 0, "unit": "years"},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422
    assert not RetentionRule.objects.exists()
    created = client.post(
        "/api/v1/retention/rules",
        {"office_id": str(personas.office_a.pk), "amount": 5, "unit": "years"},
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201
    rule_id = created.json()["id"]
    changed = client.put(
        f"/api/v1/retention/rules/{rule_id}",
        {"amount": 2, "unit": "years", "active": True, "version": 1},
        content_type="application/json",
        headers=headers,
    )
    assert changed.json()["amount"] == 2
    case = close_case(CaseFactory.create(office=personas.office_a), LONG_AGO)
    hold = client.post(
        "/api/v1/retention/holds",
        {"case_id": str(case.pk), "reason": "Investigation 88, keep it."},
        content_type="application/json",
        headers=headers,
    )
    assert hold.status_code == 201
    assert "reason" not in hold.json()
    dry = client.post(
        "/api/v1/retention/dry-runs",
        {"office_id": str(personas.office_a.pk)},
        content_type="application/json",
        headers=headers,
    )
    assert dry.status_code == 201
    assert (dry.json()["cases"], dry.json()["held"]) == (0, 1)
    items = client.get(f"/api/v1/retention/runs/{dry.json()['id']}/items", headers=headers)
    assert [i["reference"] for i in items.json()["items"]] == [case.reference]

    other, other_headers = _api(officer(personas.office_b))
    assert other.get(f"/api/v1/retention/rules/{rule_id}", headers=other_headers).status_code == 404
    assert other.get("/api/v1/retention/holds", headers=other_headers).json()["count"] == 0
    assert (
        other.post(
            "/api/v1/retention/holds",
            {"case_id": str(case.pk), "reason": "Investigation 88, keep it."},
            content_type="application/json",
            headers=other_headers,
        ).status_code
        == 404
    )
    assert (
        other.post(
            "/api/v1/retention/dry-runs",
            {"office_id": str(personas.office_a.pk)},
            content_type="application/json",
            headers=other_headers,
        ).status_code
        == 404
    )
