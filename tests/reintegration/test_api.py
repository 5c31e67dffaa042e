"""The reintegration side over the staff API, end to end: counselling, a plan with its lines,
submission, approval refused (over the cap at the rates given, by the drafter) and granted by
another manager, deliveries never beyond what was approved, partners, referrals (only with
consent), closing and reopening, the reintegration steps, the overview and the reconciliation."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, get_args

import pytest
from django.test import Client

from tests.conftest import Personas
from tests.factories import UserFactory
from tests.movements.factories import HandoverFactory, origin_office
from tests.reintegration.factories import TODAY, arrived, consent_for, partner_of, with_cap
from tests.safety.factories import set_status
from wayhome.accounts.models import User
from wayhome.accounts.permissions import Role
from wayhome.api.services import token_issue
from wayhome.audit.models import AuditEvent
from wayhome.cases.models import Case, CaseMember
from wayhome.cases.workflow import Status
from wayhome.movements.services import handover_acknowledge
from wayhome.reintegration import schemas, services
from wayhome.reintegration.models import (
    Category,
    ClosureReason,
    CounsellingMode,
    CounsellingStage,
    Delivery,
    DeliveryMode,
    Dimension,
    Level,
    PartnerKind,
    PaymentMethod,
    Plan,
    Referral,
    ReferralStatus,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/reintegration"


class Api:
    def __init__(self, user: User) -> None:
        _token, secret = token_issue(actor=None, user=user, name="tests")
        self.client = Client(raise_request_exception=False)
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        return self.client.get(path, params or {}, headers=self.headers)

    def send(self, method: str, path: str, body: Any = None) -> Any:
        call = getattr(self.client, method)
        if body is None:
            return call(path, headers=self.headers)
        return call(path, json.dumps(body), content_type="application/json", headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.send("post", path, {} if body is None else body)

    def patch(self, path: str, body: Any) -> Any:
        return self.send("patch", path, body)

    def delete(self, path: str) -> Any:
        return self.send("delete", path)


@dataclass
class Team:
    drafter: Api  # a reintegration officer who is a programme manager too
    manager: Api  # another programme manager
    officer: Api  # a reintegration officer
    case: Case
    principal: CaseMember

    @property
    def url(self) -> str:
        return f"{BASE}/cases/{self.case.pk}"


@pytest.fixture
def team(personas: Personas) -> Team:
    office = personas.office_a
    drafter = UserFactory.create(
        email="drafter@example.org", roles=[(office, Role.REINTEGRATION), (office, Role.MANAGER)]
    )
    officer = UserFactory.create(email="officer@example.org", roles=[(office, Role.REINTEGRATION)])
    with_cap(office)  # EUR 2,000 a person, 5,000 a household
    case = arrived(office)
    return Team(
        drafter=Api(drafter),
        manager=Api(personas.manager_a),
        officer=Api(officer),
        case=case,
        principal=case.members.get(),
    )


LINE = {
    "dimension": "economic",
    "category": "business",
    "description": "Sewing machine and fabric",
    "amount": "1500.00",
    "currency": "EUR",
    "delivery_mode": "cash",
}


def _ok(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.content
    return answer.json()


def _problems(answer: Any) -> set[str]:
    assert answer.status_code == 422, answer.content
    return {d["type"] for d in answer.json()["error"]["details"]}


def test_the_vocabularies_match_the_models() -> None:
    assert set(get_args(schemas.DimensionCode)) == set(Dimension.values)
    assert set(get_args(schemas.LevelCode)) == set(Level.values)
    assert set(get_args(schemas.CategoryCode)) == set(Category.values)
    assert set(get_args(schemas.DeliveryModeCode)) == set(DeliveryMode.values)
    assert set(get_args(schemas.PaymentMethodCode)) == set(PaymentMethod.values)
    assert set(get_args(schemas.CounsellingStageCode)) == set(CounsellingStage.values)
    assert set(get_args(schemas.CounsellingModeCode)) == set(CounsellingMode.values)
    assert set(get_args(schemas.PartnerKindCode)) == set(PartnerKind.values)
    assert set(get_args(schemas.ClosureReasonCode)) == set(ClosureReason.values)
    assert set(get_args(schemas.ReferralFieldCode)) == set(services.REFERRAL_FIELDS)
    assert set(get_args(schemas.ReintegrationStepCode)) == set(services.REINTEGRATION_MOVES)


def test_a_plan_from_draft_to_approval_and_delivery(team: Team) -> None:
    plan = _ok(team.drafter.post(f"{team.url}/plans", {"needs": "Reopen the shop"}), 201)
    assert (plan["household"], plan["status"], plan["revision"]) == (True, "draft", 1)
    plan_url = f"{team.url}/plans/{plan['id']}"

    eur = _ok(team.drafter.post(f"{plan_url}/lines", LINE), 201)
    assert (eur["amount"], eur["approved_amount"], eur["delivered"]) == ("1500.00", None, "0.00")
    xof = _ok(
        team.drafter.post(
            f"{plan_url}/lines",
            {**LINE, "description": "Rent of a stall", "amount": "500000", "currency": "XOF"},
        ),
        201,
    )
    _ok(team.drafter.post(f"{plan_url}/submit", {}))

    # The drafter may not approve; at these rates the plan is over its cap; both said at once.
    refused = team.drafter.post(f"{plan_url}/approve", {"rates": {"XOF": "0.00152"}})
    assert refused.json()["error"]["code"] == "approval_refused"
    assert _problems(refused) == {"drafter", "over_cap"}
    over = next(d for d in refused.json()["error"]["details"] if d["type"] == "over_cap")
    assert "2260.00 EUR" in over["message"]
    assert "2000" in over["message"]

    assert _problems(team.manager.post(f"{plan_url}/approve", {})) == {"rate_missing"}
    bad_rate = team.manager.post(f"{plan_url}/approve", {"rates": {"XOF": "-1"}})
    assert _problems(bad_rate) == {"rate_invalid", "rate_missing"}
    assert {d["field"] for d in bad_rate.json()["error"]["details"]} == {"rates"}
    assert _problems(team.manager.post(f"{plan_url}/approve", {"rates": {"XOF": "0.00152"}})) == {
        "over_cap"
    }
    assert Plan.objects.get(pk=plan["id"]).status == "submitted"

    # Back to draft, made smaller, submitted again, approved by the other manager.
    returned = _ok(team.manager.post(f"{plan_url}/return", {"reason": "Over the cap"}))
    assert (returned["status"], returned["return_reason"]) == ("draft", "Over the cap")
    stale = team.drafter.patch(
        f"{plan_url}/lines/{eur['id']}", {"version": eur["version"] - 1, "amount": "1000"}
    )
    assert stale.status_code == 409
    changed = _ok(
        team.drafter.patch(
            f"{plan_url}/lines/{eur['id']}", {"version": eur["version"], "amount": "1000"}
        )
    )
    assert changed["amount"] == "1000.00"
    _ok(team.drafter.post(f"{plan_url}/submit", {}))
    approved = _ok(team.manager.post(f"{plan_url}/approve", {"rates": {"XOF": "0.00152"}}))
    assert approved["status"] == "approved"
    assert approved["approvals"][0]["rates"] == {"XOF": "0.00152"}
    assert approved["approvals"][0]["total"] == "1760.00"
    lines = {line["id"]: line for line in approved["lines"]}
    assert lines[eur["id"]]["approved_amount"] == "1000.00"
    assert lines[xof["id"]]["remaining"] == "500000.00"
    assert {t["currency"]: t["approved"] for t in approved["totals"]} == {
        "EUR": "1000.00",
        "XOF": "500000.00",
    }

    # Deliveries: never beyond what was approved, and nothing saved when refused.
    delivery = {
        "budget_line_id": eur["id"],
        "delivered_on": TODAY().isoformat(),
        "amount": "1000.01",
        "method": "cash",
        "delivered_by": "Field officer",
    }
    beyond = team.officer.post(f"{team.url}/deliveries", delivery)
    assert _problems(beyond) == {"beyond_approved"}
    assert beyond.json()["error"]["details"][0]["field"] == "amount"
    assert not Delivery.objects.exists()
    made = _ok(team.officer.post(f"{team.url}/deliveries", {**delivery, "amount": "400"}), 201)
    assert (made["amount"], made["currency"], made["has_proof"]) == ("400.00", "EUR", False)
    listed = _ok(team.officer.get(f"{team.url}/deliveries"))
    assert [d["id"] for d in listed] == [made["id"]]
    assert _ok(team.officer.get(f"{team.url}/deliveries/{made['id']}"))["plan_id"] == plan["id"]
    after = _ok(team.officer.get(plan_url))
    assert {line["id"]: line["remaining"] for line in after["lines"]}[eur["id"]] == "600.00"

    # A change to an approved plan opens its next revision; a new line is removed outright.
    extra = _ok(team.officer.post(f"{plan_url}/lines", {**LINE, "amount": "100"}), 201)
    revised = _ok(team.officer.get(plan_url))
    assert (revised["status"], revised["revision"]) == ("draft", 2)
    assert team.officer.delete(f"{plan_url}/lines/{extra['id']}").status_code == 204
    assert extra["id"] not in {line["id"] for line in _ok(team.officer.get(plan_url))["lines"]}


def test_the_plan_is_for_one_returnee_or_the_household(team: Team) -> None:
    plan = _ok(team.officer.post(f"{team.url}/plans", {"member_id": str(team.principal.pk)}), 201)
    assert (plan["household"], plan["member_id"]) == (False, str(team.principal.pk))
    assert _problems(team.officer.post(f"{team.url}/plans", {})) == {"plan_exists"}
    stranger = team.officer.post(f"{team.url}/plans", {"member_id": str(plan["id"])})
    assert _problems(stranger) == {"unknown"}
    patched = team.officer.patch(
        f"{team.url}/plans/{plan['id']}", {"version": plan["version"], "skills": "Tailor"}
    )
    assert _ok(patched)["skills"] == "Tailor"
    assert _ok(team.officer.get(f"{team.url}/plans"))[0]["id"] == plan["id"]
    empty = team.officer.post(f"{team.url}/plans/{plan['id']}/submit", {})
    assert _problems(empty) == {"empty"}


def test_reads_are_audited_and_writes_need_the_permission(team: Team, personas: Personas) -> None:
    plan = _ok(team.officer.post(f"{team.url}/plans", {}), 201)
    before = AuditEvent.objects.filter(action="case.view", object_id=str(team.case.pk)).count()
    _ok(team.officer.get(f"{team.url}/plans/{plan['id']}"))
    _ok(team.officer.get(team.url))
    after = AuditEvent.objects.filter(action="case.view", object_id=str(team.case.pk))
    assert after.count() == before + 2
    assert after.order_by("-seq").first().office_id == team.case.office_id  # type: ignore[union-attr]

    caseworker = Api(personas.caseworker_a)  # sees the case, does not manage reintegration
    assert caseworker.get(team.url).status_code == 200
    assert caseworker.post(f"{team.url}/plans/{plan['id']}/lines", LINE).status_code == 403
    assert caseworker.post(f"{team.url}/plans/{plan['id']}/submit", {}).status_code == 403

    other_office = Api(personas.caseworker_b)
    assert other_office.get(team.url).status_code == 404
    assert other_office.get(f"{team.url}/plans/{plan['id']}").status_code == 404

    # A plan of another case, under this case's URL: not found.
    elsewhere = arrived(personas.office_a)
    foreign = _ok(team.officer.post(f"{BASE}/cases/{elsewhere.pk}/plans", {}), 201)
    assert team.officer.get(f"{team.url}/plans/{foreign['id']}").status_code == 404
    line = _ok(
        team.officer.post(f"{BASE}/cases/{elsewhere.pk}/plans/{foreign['id']}/lines", LINE), 201
    )
    mixed = f"{team.url}/plans/{plan['id']}/lines/{line['id']}"
    assert team.officer.patch(mixed, {"version": 1, "amount": "1"}).status_code == 404


def test_counselling(team: Team) -> None:
    session = {
        "stage": "after_arrival",
        "held_on": TODAY().isoformat(),
        "mode": "in_person",
        "notes": "Talked about the shop",
        "member_ids": [str(team.principal.pk)],
    }
    made = _ok(team.officer.post(f"{team.url}/counselling", session), 201)
    assert made["member_ids"] == [str(team.principal.pk)]
    before = _problems(
        team.officer.post(f"{team.url}/counselling", {**session, "stage": "before_departure"})
    )
    assert before == {"wrong_status"}
    assert [s["id"] for s in _ok(team.officer.get(f"{team.url}/counselling"))] == [made["id"]]


def test_partners(team: Team, personas: Personas) -> None:
    body = {
        "office_id": str(personas.office_a.pk),
        "name": "Hope Partners",
        "kind": "ngo",
        "countries": ["NG"],
        "services": ["business", "housing"],
        "agreement_reference": "DSA-7",
        "agreement_signed_on": TODAY().isoformat(),
    }
    made = _ok(team.officer.post(f"{BASE}/partners", body), 201)
    assert made["agreement_in_force"] is True
    assert _problems(team.officer.post(f"{BASE}/partners", body)) == {"invalid"}
    foreign = team.officer.post(
        f"{BASE}/partners", {**body, "office_id": str(personas.office_b.pk)}
    )
    assert _problems(foreign) == {"unknown"}
    assert (
        Api(personas.caseworker_a).post(f"{BASE}/partners", {**body, "name": "X"}).status_code
        == 403
    )

    url = f"{BASE}/partners/{made['id']}"
    assert _ok(team.officer.get(url))["name"] == "Hope Partners"
    changed = _ok(team.officer.patch(url, {"version": made["version"], "active": False}))
    assert (changed["active"], changed["agreement_in_force"]) == (False, False)
    assert team.officer.patch(url, {"version": made["version"], "active": True}).status_code == 409
    listed = _ok(team.officer.get(f"{BASE}/partners"))
    assert [p["id"] for p in listed["items"]] == [made["id"]]
    assert Api(personas.caseworker_b).get(url).status_code == 404
    assert _ok(Api(personas.caseworker_b).get(f"{BASE}/partners"))["items"] == []


def test_a_referral_needs_consent_and_carries_the_chosen_fields(team: Team) -> None:
    partner = partner_of(team.case.office, name="Lagos Skills Centre")
    body = {
        "partner_id": str(partner.pk),
        "member_ids": [str(team.principal.pk)],
        "fields": ["given_name"],
        "category": "vocational_training",
        "note": "Tailoring course",
    }
    refused = team.officer.post(f"{team.url}/referrals", body)
    assert _problems(refused) == {"no_consent"}
    detail = refused.json()["error"]["details"][0]
    assert detail["field"] == "member_ids"
    assert "No consent to share data with Lagos Skills Centre" in detail["message"]
    assert "Principal applicant" in detail["message"]
    assert not Referral.objects.exists()

    consent_for(team.principal, partner)
    made = _ok(team.officer.post(f"{team.url}/referrals", body), 201)
    assert made["status"] == "sent"
    assert made["package"]["people"] == [
        {"label": "Principal applicant (1)", "given_name": team.principal.person.given_name}
    ]
    assert made["fields"] == ["given_name"]
    url = f"{team.url}/referrals/{made['id']}"
    assert _ok(team.officer.get(url))["partner_name"] == "Lagos Skills Centre"
    assert AuditEvent.objects.filter(
        action="reintegration.referral_view", object_id=made["id"]
    ).exists()
    note = _ok(team.officer.post(f"{url}/notes", {"note": "Starts Monday"}), 201)
    assert (note["note"], note["by_partner"]) == ("Starts Monday", False)
    assert [r["id"] for r in _ok(team.officer.get(f"{team.url}/referrals"))] == [made["id"]]

    revoked = _ok(team.officer.post(f"{url}/revoke", {"reason": "Sent by mistake"}))
    assert (revoked["status"], revoked["package"]) == ("revoked", {})
    assert Referral.objects.get().status == ReferralStatus.REVOKED

    other = partner_of(team.case.office, name="Someone Else", active=False)
    unknown = team.officer.post(f"{team.url}/referrals", {**body, "partner_id": str(other.pk)})
    assert _problems(unknown) == {"unknown"}


def test_close_reopen_and_move(team: Team) -> None:
    moved = _ok(team.officer.post(f"{team.url}/move", {"to": "reintegration_planning"}))
    assert moved["status"] == "reintegration_planning"
    blocked = team.officer.post(f"{team.url}/move", {"to": "reintegration_assistance"})
    assert blocked.status_code == 409
    assert blocked.json()["error"]["code"] == "transition_blocked"

    closed = _ok(
        team.officer.post(f"{team.url}/close", {"reason": "chose_to_stop", "note": "Moved away"})
    )
    assert closed["status"] == "closed"
    overview = _ok(team.officer.get(team.url))
    assert overview["closure"]["reason"] == "chose_to_stop"
    assert overview["closure"]["closed_from"] == "reintegration_planning"

    assert team.officer.post(f"{team.url}/reopen", {"reason": "Back"}).status_code == 403
    reopened = _ok(team.manager.post(f"{team.url}/reopen", {"reason": "Came back"}))
    assert reopened["status"] == "reintegration_planning"
    overview = _ok(team.officer.get(team.url))
    assert overview["closure"]["reopen_reason"] == "Came back"
    assert overview["closure"]["reopened_at"] is not None


def test_the_overview_and_the_reconciliation(team: Team) -> None:
    overview = _ok(team.officer.get(team.url))
    assert overview["status"] == "arrived"
    assert overview["arrival_date"] is not None
    assert overview["plan_overdue"] is False
    assert overview["plans"] == []
    assert overview["closure"] is None

    late = arrived(team.case.office, days_ago=60)
    assert _ok(team.officer.get(f"{BASE}/cases/{late.pk}"))["plan_overdue"] is True

    plan = _ok(team.drafter.post(f"{team.url}/plans", {}), 201)
    _ok(team.drafter.post(f"{team.url}/plans/{plan['id']}/lines", LINE), 201)
    _ok(team.drafter.post(f"{team.url}/plans/{plan['id']}/submit", {}))
    _ok(team.manager.post(f"{team.url}/plans/{plan['id']}/approve", {}))
    overview = _ok(team.officer.get(team.url))
    assert overview["plans"][0]["totals"] == [
        {"currency": "EUR", "planned": "1500.00", "approved": "1500.00", "delivered": "0.00"}
    ]

    rows = _ok(team.officer.get(f"{BASE}/reconciliation"))
    assert rows == [
        {
            "key": team.case.reference,
            "currency": "EUR",
            "approved": "1500.00",
            "delivered": "0.00",
            "remaining": "1500.00",
        }
    ]
    by_programme = _ok(team.officer.get(f"{BASE}/reconciliation", {"by": "programme"}))
    assert [r["key"] for r in by_programme] == ["AVRR"]
    assert team.officer.get(f"{BASE}/reconciliation", {"by": "person"}).status_code == 422


def test_the_origin_office_that_took_the_case_over_works_it_over_the_api(
    personas: Personas,
) -> None:
    origin = origin_office()
    officer = UserFactory.create(email="lagos@example.org", roles=[(origin, Role.REINTEGRATION)])
    handover = HandoverFactory.create(office=personas.office_a, to=origin)
    case = set_status(handover.case, Status.ARRIVED)
    api = Api(officer)
    url = f"{BASE}/cases/{case.pk}"
    assert api.get(url).status_code == 404  # not before taking it over
    handover_acknowledge(actor=officer, handover=handover)
    assert _ok(api.get(url))["status"] == "arrived"
    viewed = AuditEvent.objects.filter(action="case.view", object_id=str(case.pk)).order_by("-seq")
    assert viewed.first().office_id == origin.pk  # type: ignore[union-attr]
    plan = _ok(api.post(f"{url}/plans", {}), 201)
    assert plan["office_id"] == str(origin.pk)
    # The origin office's own partners are where it refers.
    partner = partner_of(origin, name="Lagos Skills Centre")
    assert [p["id"] for p in _ok(api.get(f"{BASE}/partners"))["items"]] == [str(partner.pk)]
