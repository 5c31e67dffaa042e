"""Partner users: they see only what was referred to their organisation, and only the fields the
office shared, in the pages, the API and the CSV; a referral to another partner, or a revoked
one, is nowhere; they answer and report, and the office sees it."""

from __future__ import annotations

import csv
import datetime
import io
import json
from dataclasses import dataclass
from typing import Any, get_args

import pytest
from django.test import Client

from tests.conftest import Personas, client_for
from tests.factories import UserFactory
from tests.reintegration.factories import arrived, consent_for, partner_of, refer
from wayhome.accounts.models import User
from wayhome.accounts.permissions import Role
from wayhome.api.services import token_issue
from wayhome.audit.models import AuditEvent
from wayhome.cases.models import Case
from wayhome.consent.models import DataSharingConsent
from wayhome.consent.services import consent_revoke
from wayhome.people.services import person_update
from wayhome.reintegration import schemas, services
from wayhome.reintegration.models import (
    Category,
    Partner,
    Referral,
    ReferralStatus,
    ReferralUpdate,
)
from wayhome.reintegration.partner_views import EXPORT_FIELDS

pytestmark = pytest.mark.django_db

PAGES = "/partner/"
API = "/api/v1/partner"

GIVEN = "Adaeze-Shared"
#: Set on the person and the case, never shared: none may reach the partner.
CANARIES = {
    "family_name": "Canaryfamily-Zq7",
    "name_as_written": "Canarywritten-Zq7",
    "gender_identity": "Canarygender-Zq7",
    "other_names": "Canaryalias-Zq7",
    "contacts": "+234-canary-555",
    "date_of_birth": "1987-03-14",
    "destination_place": "Canaryplace-Zq7",
}


class Api:
    def __init__(self, user: User) -> None:
        _token, secret = token_issue(actor=None, user=user, name="tests")
        self.client = Client(raise_request_exception=False)
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str) -> Any:
        return self.client.get(path, headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(
            path, json.dumps(body or {}), content_type="application/json", headers=self.headers
        )


@dataclass
class World:
    case: Case
    partner: Partner
    member: User
    referral: Referral
    other_case: Case
    other_partner: Partner
    other_referral: Referral


def _with_canaries(case: Case) -> Case:
    principal = case.members.order_by("created_at", "id").first()
    assert principal is not None
    person_update(
        actor=None,
        person=principal.person,
        given_name=GIVEN,
        family_name=CANARIES["family_name"],
        name_as_written=CANARIES["name_as_written"],
        gender_identity=CANARIES["gender_identity"],
        other_names=[CANARIES["other_names"]],
        contacts=[{"kind": "phone", "value": CANARIES["contacts"]}],
        date_of_birth=datetime.date.fromisoformat(CANARIES["date_of_birth"]),
    )
    case.destination_region = "NG-KN"
    case.destination_place = CANARIES["destination_place"]
    case.save(update_fields=["destination_region", "destination_place"])
    return case


def partner_user(partner: Partner, email: str = "member@partner.example.org") -> User:
    user = UserFactory.create(email=email)
    partner.users.add(user)
    return user


@pytest.fixture
def world(personas: Personas) -> World:
    office = personas.office_a
    case = _with_canaries(arrived(office))
    partner = partner_of(office, name="Lagos Skills Centre")
    referral = refer(case, partner, fields=("given_name",))
    other_case = arrived(office)
    other_partner = partner_of(office, name="Other Partner")
    other_referral = refer(other_case, other_partner, fields=("given_name", "family_name"))
    return World(
        case=case,
        partner=partner,
        member=partner_user(partner),
        referral=referral,
        other_case=other_case,
        other_partner=other_partner,
        other_referral=other_referral,
    )


def _detail(referral: Referral) -> str:
    return f"{PAGES}referrals/{referral.pk}/"


def _csv(client: Client) -> list[dict[str, str]]:
    response = client.get(f"{PAGES}referrals.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _no_canary(text: str) -> None:
    for name, canary in CANARIES.items():
        assert canary not in text, f"the {name} reached the partner"
    assert "Kano" not in text  # the region, not shared


# --- what a partner user sees --------------------------------------------------------------------


def test_the_partner_sees_the_given_name_and_nothing_else(world: World) -> None:
    client = client_for(world.member)
    api = Api(world.member)
    reference = world.case.reference

    listing = client.get(PAGES)
    assert listing.status_code == 200
    page = listing.content.decode()
    assert reference in page
    assert "Tailoring" not in page
    assert _detail(world.referral) in page
    _no_canary(page)

    detail = client.get(_detail(world.referral))
    assert detail.status_code == 200
    assert detail["Cache-Control"] == "no-store"
    page = detail.content.decode()
    assert GIVEN in page
    assert "Principal" in page
    assert "Tailoring course, starts in January" in page  # the office's note
    assert "Nigeria" in page
    _no_canary(page)

    api_list = api.get(f"{API}/referrals")
    assert api_list.status_code == 200
    assert [item["id"] for item in api_list.json()["items"]] == [str(world.referral.pk)]
    assert api_list.json()["items"][0]["reference"] == reference
    _no_canary(api_list.content.decode())

    api_detail = api.get(f"{API}/referrals/{world.referral.pk}")
    assert api_detail.status_code == 200
    body = api_detail.json()
    assert body["package"]["people"] == [{"label": "Principal applicant (1)", "given_name": GIVEN}]
    assert "destination_region" not in body["package"]
    assert "destination_place" not in body["package"]
    assert body["status"] == "sent"
    assert body["answer_due_on"] is not None
    assert [u["status"] for u in body["updates"]] == ["sent"]
    _no_canary(api_detail.content.decode())

    rows = _csv(client)
    assert len(rows) == 1
    assert list(rows[0]) == list(EXPORT_FIELDS)
    assert rows[0]["given_name"] == GIVEN
    assert rows[0]["reference"] == reference
    assert rows[0]["family_name"] == rows[0]["contacts"] == rows[0]["date_of_birth"] == ""
    assert rows[0]["destination_region"] == rows[0]["destination_place"] == ""
    _no_canary(json.dumps(rows))


def test_a_field_shared_is_shown_labelled(world: World, personas: Personas) -> None:
    case = _with_canaries(arrived(personas.office_a))
    shared = refer(case, world.partner, fields=("given_name", "family_name", "destination_region"))
    page = client_for(world.member).get(_detail(shared)).content.decode()
    assert CANARIES["family_name"] in page
    assert "Family name(s)" in page
    assert "Kano" in page
    assert CANARIES["destination_place"] not in page
    assert CANARIES["contacts"] not in page
    rows = {row["reference"]: row for row in _csv(client_for(world.member))}
    assert rows[case.reference]["family_name"] == CANARIES["family_name"]
    assert rows[case.reference]["destination_region"] == "NG-KN"


def test_a_referral_to_another_partner_is_nowhere(world: World) -> None:
    client = client_for(world.member)
    api = Api(world.member)
    hidden = world.other_referral
    for text in (
        client.get(PAGES).content.decode(),
        api.get(f"{API}/referrals").content.decode(),
        client.get(f"{PAGES}referrals.csv").content.decode(),
    ):
        assert str(hidden.pk) not in text
        assert world.other_case.reference not in text
    assert client.get(_detail(hidden)).status_code == 404
    assert api.get(f"{API}/referrals/{hidden.pk}").status_code == 404


def test_a_partner_user_cannot_act_on_another_partners_referral(world: World) -> None:
    client = client_for(world.member)
    api = Api(world.member)
    hidden = world.other_referral
    assert client.post(_detail(hidden), {"move": "accept"}).status_code == 404
    for move, body in (
        ("accept", {}),
        ("decline", {"reason": "Full"}),
        ("progress", {"note": "Started"}),
        ("complete", {}),
    ):
        assert api.post(f"{API}/referrals/{hidden.pk}/{move}", body).status_code == 404
    hidden.refresh_from_db()
    assert hidden.status == ReferralStatus.SENT
    assert not ReferralUpdate.objects.filter(referral=hidden, by_partner=True).exists()


def test_a_revoked_referral_disappears(world: World) -> None:
    services.referral_revoke(actor=None, referral=world.referral, reason="Sent by mistake")
    client = client_for(world.member)
    api = Api(world.member)
    assert client.get(_detail(world.referral)).status_code == 404
    assert api.get(f"{API}/referrals/{world.referral.pk}").status_code == 404
    assert api.post(f"{API}/referrals/{world.referral.pk}/accept").status_code == 404
    assert world.case.reference not in client.get(PAGES).content.decode()
    assert api.get(f"{API}/referrals").json()["items"] == []
    assert _csv(client) == []


def test_revoking_the_consent_revokes_the_referral(world: World) -> None:
    consent = DataSharingConsent.objects.get(
        person__case_memberships__case=world.case, recipient_name=world.partner.name
    )
    consent_revoke(actor=None, consent=consent)
    world.referral.refresh_from_db()
    assert world.referral.status == ReferralStatus.REVOKED
    assert world.referral.package == {}
    assert client_for(world.member).get(_detail(world.referral)).status_code == 404
    assert Api(world.member).get(f"{API}/referrals/{world.referral.pk}").status_code == 404


def test_staff_without_membership_see_an_empty_list_and_404(
    world: World, personas: Personas
) -> None:
    for user in (personas.manager_a, personas.caseworker_a, personas.partner):
        client = client_for(user)
        listing = client.get(PAGES)
        assert listing.status_code == 200
        assert world.case.reference not in listing.content.decode()
        assert client.get(_detail(world.referral)).status_code == 404
        assert client.post(_detail(world.referral), {"move": "accept"}).status_code == 404
        assert _csv(client) == []
        api = Api(user)
        assert api.get(f"{API}/referrals").json()["items"] == []
        assert api.get(f"{API}/referrals/{world.referral.pk}").status_code == 404


def test_an_inactive_partner_shows_nothing(world: World) -> None:
    services.partner_update(actor=None, partner=world.partner, active=False)
    assert client_for(world.member).get(_detail(world.referral)).status_code == 404
    assert Api(world.member).get(f"{API}/referrals").json()["items"] == []


# --- answering and reporting ---------------------------------------------------------------------


def _staff_updates(personas: Personas, referral: Referral) -> list[tuple[str, str, bool]]:
    """What the office sees of the referral's updates, through its own API."""
    officer = UserFactory.create(roles=[(personas.office_a, Role.REINTEGRATION)])
    answer = Api(officer).get(
        f"/api/v1/reintegration/cases/{referral.case_id}/referrals/{referral.pk}"
    )
    assert answer.status_code == 200, answer.content
    return [(u["status"], u["note"], u["by_partner"]) for u in answer.json()["updates"]]


def test_accept_progress_and_complete_through_the_pages(world: World, personas: Personas) -> None:
    client = client_for(world.member)
    url = _detail(world.referral)
    page = client.get(url).content.decode()
    assert 'value="accept"' in page
    assert 'value="decline"' in page
    assert 'value="progress"' not in page

    answer = client.post(url, {"move": "accept", "note": "We can start on Monday"})
    assert answer.status_code == 302
    assert answer["Location"] == url
    world.referral.refresh_from_db()
    assert world.referral.status == ReferralStatus.ACCEPTED
    assert world.referral.answered_at is not None

    refused = client.post(url, {"move": "progress", "note": ""})
    assert refused.status_code == 400
    assert "This field is required." in refused.content.decode()

    assert client.post(url, {"move": "progress", "note": "Week 2 of 8"}).status_code == 302
    assert client.post(url, {"move": "complete", "note": "Certificate given"}).status_code == 302
    world.referral.refresh_from_db()
    assert world.referral.status == ReferralStatus.COMPLETED
    assert world.referral.closed_at is not None

    page = client.get(url).content.decode()
    assert "Week 2 of 8" in page
    assert "Your organisation" in page
    assert 'name="move"' not in page  # nothing more to do
    assert _staff_updates(personas, world.referral) == [
        ("sent", "", False),
        ("accepted", "We can start on Monday", True),
        ("in_progress", "Week 2 of 8", True),
        ("completed", "Certificate given", True),
    ]


def test_decline_through_the_page_needs_a_reason(world: World, personas: Personas) -> None:
    client = client_for(world.member)
    url = _detail(world.referral)
    assert client.post(url, {"move": "decline", "note": "  "}).status_code == 400
    assert client.post(url, {"move": "dance"}).status_code == 400
    world.referral.refresh_from_db()
    assert world.referral.status == ReferralStatus.SENT
    assert client.post(url, {"move": "decline", "note": "No places left"}).status_code == 302
    world.referral.refresh_from_db()
    assert world.referral.status == ReferralStatus.DECLINED
    assert client.get(url).status_code == 200  # still shown: declined, not revoked
    late = client.post(url, {"move": "accept"})
    assert late.status_code == 400
    assert "cannot be done now" in late.content.decode()
    assert _staff_updates(personas, world.referral)[-1] == ("declined", "No places left", True)


def test_answer_and_report_through_the_api(world: World, personas: Personas) -> None:
    api = Api(world.member)
    base = f"{API}/referrals/{world.referral.pk}"
    assert api.post(f"{base}/decline", {"reason": ""}).status_code == 422
    assert api.post(f"{base}/progress", {"note": "Too early"}).status_code == 422

    accepted = api.post(f"{base}/accept", {"note": "Yes"})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["answer_due_on"] is None

    again = api.post(f"{base}/decline", {"reason": "Changed our mind"})
    assert again.status_code == 422
    assert again.json()["error"]["details"][0]["type"] == "wrong_status"

    assert api.post(f"{base}/progress", {"note": "Half way"}).json()["status"] == "in_progress"
    done = api.post(f"{base}/complete", {})
    assert done.status_code == 200
    assert [u["status"] for u in done.json()["updates"]] == [
        "sent",
        "accepted",
        "in_progress",
        "completed",
    ]
    assert _staff_updates(personas, world.referral)[2] == ("in_progress", "Half way", True)
    assert AuditEvent.objects.filter(
        action="reintegration.referral_complete", office_id=world.case.office_id
    ).exists()


def test_decline_through_the_api(world: World) -> None:
    answer = Api(world.member).post(
        f"{API}/referrals/{world.referral.pk}/decline", {"reason": "No places left"}
    )
    assert answer.status_code == 200
    assert answer.json()["updates"][-1] == {
        **answer.json()["updates"][-1],
        "status": "declined",
        "note": "No places left",
        "by_partner": True,
    }


# --- audit, export, tokens, staff pages ----------------------------------------------------------


def test_every_view_and_export_is_audited_for_the_sending_office(world: World) -> None:
    client = client_for(world.member)
    client.get(_detail(world.referral))
    Api(world.member).get(f"{API}/referrals/{world.referral.pk}")
    views = AuditEvent.objects.filter(
        action="reintegration.referral_view", object_id=str(world.referral.pk)
    )
    assert views.count() == 2
    assert {(e.object_type, e.office_id, e.actor_id) for e in views} == {
        ("reintegration.referral", world.case.office_id, world.member.pk)
    }
    _csv(client)
    export = AuditEvent.objects.get(action="reintegration.referral_export")
    assert (export.object_id, export.office_id) == (str(world.referral.pk), world.case.office_id)


def test_the_csv_neutralises_formulas(world: World, personas: Personas) -> None:
    case = arrived(personas.office_a)
    principal = case.members.get()
    person_update(actor=None, person=principal.person, given_name="=HYPERLINK(1)")
    consent_for(principal, world.partner)
    services.referral_send(
        actor=None,
        case=case,
        partner=world.partner,
        members=[principal],
        fields=["given_name"],
        category=Category.HOUSING,
        note="+1 room, @night",
    )
    rows = {row["reference"]: row for row in _csv(client_for(world.member))}
    assert rows[case.reference]["given_name"] == "'=HYPERLINK(1)"
    assert rows[case.reference]["note"] == "'+1 room, @night"


def test_one_row_per_person_referred(world: World, personas: Personas) -> None:
    case = arrived(personas.office_a, with_child=True)
    members = list(case.members.order_by("created_at", "id"))
    for member in members:
        consent_for(member, world.partner)
    services.referral_send(
        actor=None,
        case=case,
        partner=world.partner,
        members=members,
        fields=["given_name"],
        category=Category.EDUCATION,
    )
    rows = [r for r in _csv(client_for(world.member)) if r["reference"] == case.reference]
    assert [r["person"] for r in rows] == ["Principal applicant (1)", "Child (2)"]


def test_a_partner_users_token_works(world: World) -> None:
    api = Api(world.member)
    me = api.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["offices"] == []


@pytest.mark.parametrize("who", ["member", "partner_persona"])
def test_a_partner_user_gets_404_on_staff_routes(
    who: str, world: World, personas: Personas
) -> None:
    user = world.member if who == "member" else personas.partner
    if who == "partner_persona":
        world.partner.users.add(user)
    client = client_for(user)
    case = world.case.pk
    person = world.case.principal_id
    # Deny by default: a user without any office permission finds no staff page at all, not
    # even those that show no person (the restriction register, eligibility rules, queues).
    for url in (
        "/cases/",
        f"/cases/{case}/",
        "/people/",
        f"/people/{person}/",
        "/audit/",
        f"/travel/cases/{case}/",
        f"/reintegration/cases/{case}/",
        "/travel/queue/",
        "/travel/departures/",
        "/travel/handovers/",
        "/reintegration/",
        "/reintegration/partners/",
        "/safety/",
        "/safety/restrictions/",
        "/eligibility/rules/",
        "/cases/regions/",
    ):
        assert client.get(url).status_code == 404, url
    # Their own pages and the home page answer.
    for url in ("/", "/partner/", "/api/tokens/"):
        assert client.get(url).status_code == 200, url
    api = Api(user)
    for path in (
        f"/api/v1/cases/{case}",
        f"/api/v1/reintegration/cases/{case}",
        f"/api/v1/reintegration/cases/{case}/referrals/{world.referral.pk}",
        f"/api/v1/movements/cases/{case}",
        "/api/v1/reintegration/partners",
        "/api/v1/safety/restrictions",
    ):
        assert api.get(path).status_code == 404, path
    assert api.get("/api/v1/me").status_code == 200
    assert api.get("/api/v1/partner/referrals").status_code == 200


def test_the_home_page_points_a_partner_user_to_the_referrals(world: World) -> None:
    home = client_for(world.member).get("/")
    assert home.status_code == 200
    assert 'href="/partner/"' in home.content.decode()


def test_the_vocabularies_match_the_models() -> None:
    assert set(get_args(schemas.ReferralFieldCode)) == set(services.REFERRAL_FIELDS)


def test_the_home_page_tells_a_partner_user_what_waits_and_nothing_of_staff_work(
    world: World,
) -> None:
    page = client_for(world.member).get("/").content.decode()
    assert "Referrals to your organisation" in page
    assert "1 referral waits for your answer." in page
    assert "Work queue</h2>" not in page
    assert "You do not hold a role in any office yet" not in page
