"""The surveys API end to end: instruments and versions, schedules, follow-ups, interviews
(recorded, read and audited), recomputation, trajectories and results."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import Personas
from tests.factories import UserFactory
from tests.surveys.factories import answers, arrived, definition, interview, published, schedule
from wayhome.accounts.models import Office, User
from wayhome.accounts.permissions import Role
from wayhome.api.services import token_issue
from wayhome.audit.models import AuditEvent
from wayhome.movements.models import Arrival
from wayhome.surveys.models import Interview, ScoreSet

pytestmark = pytest.mark.django_db

BASE = "/api/v1/surveys"


class Api:
    def __init__(self, user: User) -> None:
        _token, secret = token_issue(actor=None, user=user, name="tests")
        self.client = Client(raise_request_exception=False)
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        return self.client.get(BASE + path, params or {}, headers=self.headers)

    def send(self, method: str, path: str, body: Any) -> Any:
        return getattr(self.client, method)(
            BASE + path, json.dumps(body), content_type="application/json", headers=self.headers
        )


def manager(office: Office) -> Api:
    return Api(UserFactory.create(roles=[(office, Role.MANAGER)]))


def officer(office: Office) -> Api:
    return Api(UserFactory.create(roles=[(office, Role.REINTEGRATION)]))


def test_instruments_and_versions(personas: Personas) -> None:
    published()
    api = manager(personas.office_a)
    listed = api.get("/instruments").json()
    mini = next(i for i in listed if i["code"] == "mini")
    assert mini["published"] == 1
    assert mini["title"] == "Mini sustainability survey"
    one = api.get("/instruments/mini/versions/1").json()
    assert one["weights_are_defaults"] is True
    assert one["definition"]["code"] == "mini"
    bad = definition()
    bad["rounding"] = 9
    response = api.send("post", "/instruments/mini/versions", {"definition": bad})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "definition"
    response = api.send(
        "post",
        "/instruments/mini/versions",
        {"definition": definition(weights=("2", "1", "1")), "notes": "Economic first"},
    )
    assert response.status_code == 201
    assert (response.json()["number"], response.json()["status"]) == (2, "draft")
    response = api.send("post", "/instruments/mini/versions/2/publish", {})
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert api.get("/instruments/mini/versions/1").json()["status"] == "superseded"
    assert api.get("/instruments/mini/versions/9").status_code == 404
    reader = officer(personas.office_a)
    assert (
        reader.send("post", "/instruments/mini/versions", {"definition": definition()}).status_code
        == 403
    )


def test_schedule_items(personas: Personas) -> None:
    published()
    api = Api(personas.manager_a)
    body = {
        "office_id": str(personas.office_a.pk),
        "programme": "AVRR",
        "instrument": "mini",
        "name": "6 months",
        "days_after_arrival": 182,
    }
    response = api.send("post", "/schedule-items", body)
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["window_days"] == 30
    response = api.send("post", "/schedule-items", {**body, "office_id": str(personas.office_b.pk)})
    assert response.status_code == 422
    patched = api.send(
        "patch", f"/schedule-items/{item['id']}", {"version": item["version"], "active": False}
    )
    assert patched.status_code == 200
    assert patched.json()["active"] is False
    stale = api.send("patch", f"/schedule-items/{item['id']}", {"version": 1, "name": "Six"})
    assert stale.status_code == 409
    assert [i["name"] for i in api.get("/schedule-items").json()] == ["6 months"]
    assert manager(personas.office_b).get("/schedule-items").json() == []


def test_interviews_follow_ups_and_recompute(personas: Personas) -> None:
    published()
    item = schedule(personas.office_a)
    case = arrived(personas.office_a)
    member = case.members.get()
    api = officer(personas.office_a)
    due = api.get("/follow-ups").json()
    assert [(f["case_id"], f["status"], f["label"]) for f in due] == [
        (str(case.pk), "due", "Principal applicant (1)")
    ]
    body = {
        "member_id": str(member.pk),
        "schedule_item_id": str(item.pk),
        "mode": "phone",
        "conducted_on": timezone.localdate().isoformat(),
        "consent": "given",
        "outcome": "completed",
        "answers": {**answers(), "social_1": "wonderful"},
    }
    response = api.send("post", f"/cases/{case.pk}/interviews", body)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "q_social_1"
    response = api.send("post", f"/cases/{case.pk}/interviews", {**body, "answers": answers()})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["score_sets"][0]["composite"] == "0.50"
    assert created["score_sets"][0]["version"] == 1
    assert api.get("/follow-ups").json() == []
    assert api.get("/follow-ups", {"status": "done"}).json()[0]["interview_id"] == created["id"]

    listed = api.get(f"/cases/{case.pk}/interviews").json()
    assert [i["composite"] for i in listed] == ["0.50"]
    read = api.get(f"/interviews/{created['id']}")
    assert read.json()["answers"] == answers()
    assert AuditEvent.objects.filter(action="surveys.interview_view").count() == 1

    # A new version: the stored scores stay; only a recomputation changes them.
    boss = manager(personas.office_a)
    boss.send(
        "post", "/instruments/mini/versions", {"definition": definition(weights=("2", "1", "1"))}
    )
    boss.send("post", "/instruments/mini/versions/2/publish", {})
    assert api.get(f"/interviews/{created['id']}").json()["composite"] == "0.50"
    denied = api.send(
        "post", f"/interviews/{created['id']}/recompute", {"version": 2, "reason": "x"}
    )
    assert denied.status_code == 403
    response = boss.send(
        "post", f"/interviews/{created['id']}/recompute", {"version": 2, "reason": "New weights"}
    )
    assert response.status_code == 200
    sets = response.json()["score_sets"]
    assert [(s["version"], s["current"], s["composite"]) for s in sets] == [
        (2, True, "0.63"),
        (1, False, "0.50"),
    ]
    trajectory = api.get(f"/cases/{case.pk}/scores").json()
    assert trajectory[0]["label"] == "Principal applicant (1)"
    assert trajectory[0]["points"][0]["composite"] == "0.63"
    assert trajectory[0]["points"][0]["version"] == 2


def test_a_refusal_over_the_api_stores_no_answers(personas: Personas) -> None:
    published()
    case = arrived(personas.office_a)
    response = officer(personas.office_a).send(
        "post",
        f"/cases/{case.pk}/interviews",
        {
            "member_id": str(case.members.get().pk),
            "instrument": "mini",
            "mode": "visit",
            "conducted_on": timezone.localdate().isoformat(),
            "consent": "refused",
            "outcome": "refused",
            "answers": answers(),
        },
    )
    assert response.status_code == 201
    assert response.json()["answers"] == {}
    assert Interview.objects.get().answers == {}
    assert not ScoreSet.objects.exists()


def test_another_office_gets_404(personas: Personas) -> None:
    published()
    case = arrived(personas.office_a)
    done = interview(case)
    stranger = manager(personas.office_b)
    assert stranger.get(f"/cases/{case.pk}/interviews").status_code == 404
    assert stranger.get(f"/cases/{case.pk}/scores").status_code == 404
    assert stranger.get(f"/interviews/{done.pk}").status_code == 404
    response = stranger.send(
        "post", f"/interviews/{done.pk}/recompute", {"version": 1, "reason": "x"}
    )
    assert response.status_code == 404


def test_results(personas: Personas) -> None:
    published()
    for economic in ("good", "fair"):
        interview(arrived(personas.office_a), answers=answers(economic, "good", "good"))
    interview(arrived(personas.office_b), answers=answers("poor", "poor", "poor"))
    # The programme manager may open every case counted: exact figures.
    api = Api(UserFactory.create(roles=[(personas.office_a, Role.MANAGER)]))
    body = api.get("/results", {"instrument": "mini", "dimension": "economic", "by": "programme"})
    assert body.status_code == 200
    data = body.json()
    assert data["overall"]["count"] == 2
    assert data["overall"]["mean"] == "0.75"
    assert data["overall"]["bins"] == [0, 0, 1, 0, 1]
    assert [g["key"] for g in data["groups"]] == ["AVRR"]
    cohort = api.get("/results", {"instrument": "mini", "by": "cohort"}).json()
    day = Arrival.objects.values_list("arrived_on", flat=True).first()
    assert day is not None
    assert [g["key"] for g in cohort["groups"]] == [f"{day.year}-Q{(day.month - 1) // 3 + 1}"]
    assert officer(personas.office_a).get("/results", {"instrument": "mini"}).status_code == 403
    # M&E may not open the cases: 2 interviews are fewer than k, every figure is withheld.
    analyst = Api(UserFactory.create(roles=[(personas.office_a, Role.ME_OFFICER)]))
    withheld = analyst.get("/results", {"instrument": "mini", "dimension": "economic"}).json()
    assert withheld["overall"]["count"] is None
    assert withheld["overall"]["mean"] is None
    assert withheld["overall"]["bins"] == [0, 0, None, 0, None]
    assert all(group["count"] is None for group in withheld["groups"])


def test_follow_ups_query_count(personas: Personas, django_assert_max_num_queries: Any) -> None:
    schedule(personas.office_a)
    api = officer(personas.office_a)
    arrived(personas.office_a)
    api.get("/follow-ups")
    with django_assert_max_num_queries(15) as one:
        assert len(api.get("/follow-ups").json()) == 1
    for _n in range(4):
        arrived(personas.office_a, with_child=True)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(api.get("/follow-ups").json()) == 9
