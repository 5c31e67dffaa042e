"""The staff side: the independent queue (a misconduct report is invisible to every role of the
office concerned except the ethics officer: 404, absent from lists, counts, statistics and the
API), triage, notes, the answer, closing, moving between the queues, the statistics page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import Personas, client_for
from tests.factories import UserFactory
from tests.feedback.factories import SECRET, FeedbackFactory, FeedbackNoteFactory
from wayhome.accounts.models import User
from wayhome.accounts.permissions import Role
from wayhome.api.services import token_issue
from wayhome.audit.models import AuditEvent
from wayhome.feedback import selectors
from wayhome.feedback.models import Feedback, FeedbackNote, FeedbackStatus, Kind, MisconductType

pytestmark = pytest.mark.django_db


def detail(fb: Feedback) -> str:
    return f"/feedback/{fb.pk}/"


def api(user: User) -> tuple[Client, dict[str, str]]:
    _token, secret = token_issue(actor=None, user=user, name="tests")
    return Client(), {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def reports(personas: Personas) -> dict[str, Feedback]:
    return {
        "misconduct": FeedbackFactory.create(
            office=personas.office_a,
            kind=Kind.MISCONDUCT,
            message="The guard touched me.",
            due_on=timezone.localdate() - datetime.timedelta(days=1),
        ),
        "complaint": FeedbackFactory.create(
            office=personas.office_a, kind=Kind.COMPLAINT, message="Late bus."
        ),
    }


def _all_views_of(user: User, fb: Feedback) -> dict[str, Any]:
    session = client_for(user)
    client, headers = api(user)
    return {
        "detail": session.get(detail(fb)).status_code,
        "post": session.post(detail(fb) + "note/", {"text": "x"}).status_code,
        "queue": session.get("/feedback/").content,
        "misconduct_queue": session.get("/feedback/misconduct/").status_code,
        "statistics": session.get("/feedback/statistics/").content,
        "api_detail": client.get(f"/api/v1/feedback/{fb.pk}", headers=headers).status_code,
        "api_list": client.get("/api/v1/feedback", headers=headers).content,
        "api_statistics": client.get("/api/v1/feedback/statistics", headers=headers).json(),
        "counts": selectors.open_feedback(user),
    }


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ETHICS])
def test_a_misconduct_report_is_invisible_to_every_other_role_of_its_office(
    personas: Personas, reports: dict[str, Feedback], role: str
) -> None:
    user = UserFactory.create(roles=[(personas.office_a, role)])
    fb = reports["misconduct"]
    seen = _all_views_of(user, fb)
    assert seen["detail"] == 404
    assert seen["post"] == 404
    assert seen["api_detail"] == 404
    assert seen["misconduct_queue"] == 404
    for listing in (seen["queue"], seen["statistics"], seen["api_list"]):
        assert fb.reference.encode() not in listing
        assert str(fb.pk).encode() not in listing
        assert b"Report of staff misconduct" not in listing
    stats = seen["api_statistics"]
    if "total" in stats:  # roles that handle feedback see the office's figures without it
        assert stats["total"] == 1
        assert {r["code"]: r["count"] for r in stats["by_kind"]}.get("misconduct", 0) == 0
    assert seen["counts"]["misconduct_open"] == 0
    assert seen["counts"]["open"] == (1 if "feedback.handle" in _perms(role) else 0)
    fb.refresh_from_db()
    assert not fb.notes.exists()


def _perms(role: str) -> set[str]:
    from wayhome.accounts.permissions import permissions_of

    return {str(p) for p in permissions_of(role)}


def test_every_other_role_at_once_sees_nothing_of_it_either(
    personas: Personas, reports: dict[str, Feedback], office_roles_a: User
) -> None:
    fb = reports["misconduct"]
    seen = _all_views_of(office_roles_a, fb)
    assert (seen["detail"], seen["post"], seen["api_detail"]) == (404, 404, 404)
    assert fb.reference.encode() not in seen["queue"] + seen["statistics"] + seen["api_list"]
    assert reports["complaint"].reference.encode() in seen["queue"]
    assert seen["api_statistics"]["total"] == 1
    assert seen["api_statistics"]["overdue"] == 0
    assert seen["counts"] == {
        "open": 1,
        "overdue": 0,
        "misconduct_open": 0,
        "misconduct_overdue": 0,
    }


def test_the_ethics_officer_sees_it_in_the_independent_queue_only(
    personas: Personas, reports: dict[str, Feedback], ethics_a: User
) -> None:
    fb = reports["misconduct"]
    session = client_for(ethics_a)
    page = session.get(detail(fb))
    assert page.status_code == 200
    assert b"The guard touched me." in page.content
    assert AuditEvent.objects.filter(action="feedback.view", object_id=str(fb.pk)).exists()
    # Kept out of the office's own audit trail.
    assert AuditEvent.objects.get(action="feedback.view").office_id is None
    queue = session.get("/feedback/misconduct/")
    assert fb.reference.encode() in queue.content
    assert reports["complaint"].reference.encode() not in queue.content
    assert session.get("/feedback/").status_code == 302  # to the independent queue
    assert session.get(detail(reports["complaint"])).status_code == 404
    stats = session.get("/feedback/statistics/")
    assert stats.status_code == 200
    assert b"Report of staff misconduct" in stats.content
    assert b"<svg" in stats.content
    client, headers = api(ethics_a)
    listed = client.get("/api/v1/feedback", headers=headers).json()
    assert [item["reference"] for item in listed["items"]] == [fb.reference]
    assert client.get(f"/api/v1/feedback/{fb.pk}", headers=headers).json()["message"] == (
        "The guard touched me."
    )
    assert selectors.open_feedback(ethics_a) == {
        "open": 0,
        "overdue": 0,
        "misconduct_open": 1,
        "misconduct_overdue": 1,
    }


def test_ethics_of_another_office_sees_nothing(
    personas: Personas, reports: dict[str, Feedback]
) -> None:
    other = UserFactory.create(roles=[(personas.office_b, Role.ETHICS)])
    assert client_for(other).get(detail(reports["misconduct"])).status_code == 404
    assert reports["misconduct"].reference.encode() not in (
        client_for(other).get("/feedback/misconduct/").content
    )


def test_triage_answer_and_close(personas: Personas, reports: dict[str, Feedback]) -> None:
    fb = reports["complaint"]
    session = client_for(personas.caseworker_a)
    page = session.get(detail(fb))
    assert page.status_code == 200
    assert b"Late bus." in page.content
    due = timezone.localdate() + datetime.timedelta(days=5)
    response = session.post(
        detail(fb) + "triage/",
        {
            "category": "travel",
            "priority": "high",
            "due_on": due.isoformat(),
            "status": "in_progress",
            "assigned_to": str(personas.manager_a.pk),
            "version": fb.version,
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    fb.refresh_from_db()
    assert (fb.category, fb.priority, fb.due_on, fb.status) == (
        "travel",
        "high",
        due,
        FeedbackStatus.IN_PROGRESS,
    )
    assert fb.assigned_to == personas.manager_a
    # A stale version is refused; nothing changes.
    stale = session.post(
        detail(fb) + "respond/", {"response": "Too late.", "version": fb.version - 1}
    )
    assert stale.status_code == 400
    assert b"Someone else changed this report" in stale.content
    fb.refresh_from_db()
    assert fb.response == ""
    assert (
        session.post(detail(fb) + "note/", {"text": "Called the bus company."}).status_code == 302
    )
    response = session.post(
        detail(fb) + "respond/", {"response": "The bus will come at 9.", "version": fb.version}
    )
    assert response.status_code == 302
    fb.refresh_from_db()
    assert fb.status == FeedbackStatus.ANSWERED
    assert fb.responded_by == personas.caseworker_a
    response = session.post(detail(fb) + "close/", {"version": fb.version})
    assert response.status_code == 302
    fb.refresh_from_db()
    assert fb.status == FeedbackStatus.CLOSED
    assert fb.closed_at is not None
    actions = set(AuditEvent.objects.filter(object_id=str(fb.pk)).values_list("action", flat=True))
    assert {"feedback.view", "feedback.triage", "feedback.note", "feedback.respond"} <= actions
    assert "feedback.close" in actions
    assert set(
        AuditEvent.objects.filter(object_id=str(fb.pk)).values_list("office_id", flat=True)
    ) == {personas.office_a.pk}
    # The person reads the answer, never the note.
    public = Client().post(
        "/portal/feedback/status/", {"reference": fb.reference, "secret": SECRET}
    )
    assert b"The bus will come at 9." in public.content
    assert b"bus company" not in public.content
    assert b"Closed" in public.content


def test_assigning_someone_outside_the_queue_is_refused(
    personas: Personas, reports: dict[str, Feedback], ethics_a: User
) -> None:
    fb = reports["complaint"]
    response = client_for(personas.caseworker_a).post(
        detail(fb) + "triage/",
        {
            "category": "travel",
            "priority": "high",
            "due_on": "2030-01-01",
            "status": "triaged",
            "assigned_to": str(ethics_a.pk),
            "version": fb.version,
        },
    )
    assert response.status_code == 400
    fb.refresh_from_db()
    assert fb.category == ""


def test_moving_into_the_independent_queue_and_back(
    personas: Personas,
    reports: dict[str, Feedback],
    ethics_a: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.core import mail

    fb = reports["complaint"]
    office = client_for(personas.caseworker_a)
    office.post(detail(fb) + "note/", {"text": "Office note before the move."})
    with django_capture_on_commit_callbacks(execute=True):
        response = office.post(
            detail(fb) + "route/",
            {
                "kind": Kind.MISCONDUCT,
                "misconduct_type": MisconductType.SEXUAL_EXPLOITATION,
                "reason": "It describes abuse by a guard.",
                "version": fb.version,
            },
        )
    assert response.status_code == 302
    assert response["Location"] == "/feedback/"
    fb.refresh_from_db()
    assert fb.kind == Kind.MISCONDUCT
    assert fb.priority == "urgent"
    assert [m.to for m in mail.outbox] == [[ethics_a.email]]
    assert office.get(detail(fb)).status_code == 404
    route_event = AuditEvent.objects.get(action="feedback.route")
    assert route_event.office_id is None
    # The ethics officer reads it, writes a note, and sends it back.
    ethics = client_for(ethics_a)
    page = ethics.get(detail(fb))
    assert b"Office note before the move." in page.content
    ethics.post(detail(fb) + "note/", {"text": "Independent: interviewed the guard."})
    response = ethics.post(
        detail(fb) + "route/",
        {"kind": Kind.COMPLAINT, "reason": "A complaint about waiting.", "version": fb.version},
    )
    assert response.status_code == 302
    fb.refresh_from_db()
    assert fb.kind == Kind.COMPLAINT
    assert fb.misconduct_type == ""
    assert ethics.get(detail(fb)).status_code == 404
    page = office.get(detail(fb))
    assert page.status_code == 200
    assert b"A complaint about waiting." in page.content
    assert b"interviewed the guard" not in page.content  # the independent notes stay there
    assert FeedbackNote.objects.filter(feedback=fb, independent=True).count() == 1


def test_staff_record_feedback_received_by_phone(personas: Personas) -> None:
    session = client_for(personas.caseworker_a)
    assert session.get("/feedback/new/").status_code == 200
    response = session.post(
        "/feedback/new/",
        {"office": "office-a", "kind": Kind.FEEDBACK, "message": "Thanks for the help."},
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    fb = Feedback.objects.get()
    assert fb.channel == "staff"
    assert fb.recorded_by == personas.caseworker_a
    assert fb.reference.encode() in response.content
    # Not for an office the user does not handle.
    response = session.post(
        "/feedback/new/",
        {"office": "office-b", "kind": Kind.FEEDBACK, "message": "Thanks for the help."},
    )
    assert response.status_code == 400
    assert Feedback.objects.count() == 1


def test_the_queue_filters_and_keeps_its_queries_few(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    overdue = FeedbackFactory.create(
        office=personas.office_a, due_on=timezone.localdate() - datetime.timedelta(days=2)
    )
    FeedbackFactory.create_batch(15, office=personas.office_a, kind=Kind.COMPLAINT)
    session = client_for(personas.manager_a)
    with django_assert_max_num_queries(15):
        page = session.get("/feedback/")
    assert page.status_code == 200
    assert page.content.count(b"/feedback/") >= 16
    filtered = session.get("/feedback/", {"overdue": "on"})
    assert overdue.reference.encode() in filtered.content
    assert filtered.content.count(b'<th scope="row">') == 1
    complaints = session.get("/feedback/", {"kind": "complaint"})
    assert overdue.reference.encode() not in complaints.content


def test_statistics_count_by_kind_status_and_month(personas: Personas) -> None:
    now = timezone.now()
    answered = FeedbackFactory.create(
        office=personas.office_a,
        kind=Kind.COMPLAINT,
        submitted_at=now - datetime.timedelta(days=4),
        responded_at=now,
        status=FeedbackStatus.ANSWERED,
        response="Done.",
    )
    FeedbackFactory.create(office=personas.office_a, category="medical")
    FeedbackFactory.create(office=personas.office_a, kind=Kind.MISCONDUCT)
    stats = selectors.feedback_statistics(personas.manager_a)
    assert stats.total == 2
    # No row for the independent queue: the office does not handle it.
    assert {r.code: r.count for r in stats.by_kind} == {"feedback": 1, "complaint": 1}
    assert {r.code: r.count for r in stats.by_status}["answered"] == 1
    assert stats.median_days_to_answer == 4.0
    assert sum(r.count for r in stats.by_month) == 2
    assert answered.reference not in str(stats)


def test_notes_factory_serves_a_report(personas: Personas) -> None:
    note = FeedbackNoteFactory.create(office=personas.office_a)
    assert note.feedback.office == personas.office_a
