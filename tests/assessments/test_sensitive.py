"""Sensitive details: a canary in trafficking and health details never reaches a user without the
permission, on any page or API response of the case (routes generated like the isolation test),
nor in the case search or the audit export; break-the-glass opens one record for a while,
recorded and shown to the data protection officer only."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.assessments.factories import CANARY, assess, consent_steps, screen
from tests.assessments.test_api import Api
from tests.cases.factories import CaseFactory
from tests.conftest import Personas, client_for
from tests.consent.factories import adult, members_of
from tests.factories import UserFactory
from tests.test_isolation import (
    Route,
    _body,
    _without_echo,
    api_request,
    collect_routes,
    ui_url,
    viewer,
)
from wayhome.accounts.models import User
from wayhome.accounts.permissions import Role
from wayhome.assessments.models import Assessment, BreakGlassAccess, Flag, Kind
from wayhome.audit.models import AuditEvent
from wayhome.cases.models import Case, CaseMember

pytestmark = pytest.mark.django_db

#: The objects a route of the case may take, by path parameter.
CASE_PARAMS = {"case_id", "member_id", "assessment_id", "person_id"}


def case_routes() -> list[Route]:
    """Every GET route (page or API) whose ids are all about this case and that takes at least
    the case or a member: new routes are covered without editing this test."""
    return [
        route
        for route in collect_routes()
        if "GET" in route.methods
        and route.id_params
        and set(route.id_params) <= CASE_PARAMS
        and {"case_id", "member_id"} & set(route.id_params)
    ]


def flagged_case(personas: Personas) -> tuple[Case, CaseMember, list[Assessment]]:
    office = personas.office_a
    case = CaseFactory.create(office=office, principal=adult(office))
    member = members_of(case)[0]
    actor = personas.caseworker_a
    screen(actor, member, [Flag.VICTIM_OF_TRAFFICKING, Flag.PHYSICAL_HEALTH_NEEDS])
    consent_steps(actor, member)
    assessments = [
        assess(actor, member, Kind.TRAFFICKING, details=f"Recruited by {CANARY}"),
        assess(actor, member, Kind.MEDICAL, details=f"Diagnosis {CANARY}"),
        assess(
            actor,
            member,
            Kind.FITNESS,
            details=f"Oxygen {CANARY}",
            receiving_provider="Clinic",
        ),
    ]
    return case, member, assessments


def everything_reachable(user: User, case: Case, member: CaseMember, found: list[Any]) -> bytes:
    """Every page and API response of the case's GET routes, for each assessment."""
    who = viewer("the user", user)
    bodies = []
    ok = 0
    for route in case_routes():
        for assessment in found:
            objects: dict[str, models.Model] = {
                "case_id": case,
                "member_id": member,
                "assessment_id": assessment,
                "person_id": member.person,
            }
            response: Any
            if route.kind == "ui":
                response = who.session.get(ui_url(route, objects))
            else:
                response = api_request(who.session, route, "GET", objects, who.token)
            ok += response.status_code == 200
            bodies.append(_body(response))
            if "assessment_id" not in route.id_params:
                break
    assert ok > 10, "too few pages answered: the check would prove nothing"
    return b"\n".join(bodies)


def test_the_routes_cover_the_assessment_pages_and_api() -> None:
    templates = {route.template for route in case_routes()}
    assert any("assessments/<uuid:assessment_id>/" in t for t in templates)
    assert any(t.endswith("{assessment_id}") for t in templates)
    assert any(t[-len("/cases/<uuid:case_id>/") :] == "/cases/<uuid:case_id>/" for t in templates)


def test_a_caseworker_without_the_permission_never_sees_the_details(personas: Personas) -> None:
    case, member, found = flagged_case(personas)
    body = everything_reachable(personas.caseworker_a, case, member, found)
    assert CANARY.encode() not in body
    # ...but sees that the flags and assessments exist.
    assert b"Victim of trafficking" in body
    assert b"Fitness-to-travel check" in body
    assert str(found[0].pk).encode() in body


def test_a_user_with_the_permission_sees_the_details(personas: Personas) -> None:
    case, member, found = flagged_case(personas)
    both = UserFactory.create(
        roles=[(personas.office_a, Role.MANAGER), (personas.office_a, Role.MEDICAL)]
    )
    assert CANARY.encode() in everything_reachable(both, case, member, found)
    # Each read of details is audited.
    reads = AuditEvent.objects.filter(action="assessments.details_view", actor_id=both.pk)
    assert reads.count() >= len(found)


def test_the_case_search_and_the_audit_export_do_not_contain_the_details(
    personas: Personas,
) -> None:
    case, member, found = flagged_case(personas)
    client = client_for(personas.caseworker_a)
    for response in (
        client.get("/cases/", {"q": CANARY}),
        client.post("/cases/", {"q": CANARY}),
        client.get("/cases/"),
        client.post("/people/", {"q": CANARY}),
    ):
        assert CANARY.encode() not in _without_echo(_body(response), CANARY)
    api = Api(personas.caseworker_a)
    assert CANARY not in api.get("/api/v1/cases").content.decode()
    # Someone reads the details, so that the trail holds every kind of event.
    manager = client_for(personas.manager_a)
    member_url = f"/assessments/cases/{case.pk}/members/{member.pk}/"
    assert CANARY.encode() in manager.get(f"{member_url}assessments/{found[0].pk}/").content
    dpo = UserFactory.create(roles=[(personas.office_a, Role.DPO)])
    export = client_for(dpo).get("/audit/export.csv")
    assert export.status_code == 200
    text = _body(export)
    assert b"assessments.details_view" in text or b"sensitive assessment" in text
    assert CANARY.encode() not in text


# --- break the glass ----------------------------------------------------------------------------


def test_break_the_glass_is_recorded_grants_access_and_expires(personas: Personas) -> None:
    case, member, found = flagged_case(personas)
    trafficking = found[0]
    url = f"/assessments/cases/{case.pk}/members/{member.pk}/assessments/{trafficking.pk}/"
    client = client_for(personas.caseworker_a)
    page = client.get(url)
    assert page.status_code == 200
    assert CANARY.encode() not in page.content
    assert b"Break the glass" in page.content

    short = client.post(f"{url}break-glass/", {"reason": "need it"})
    assert short.status_code == 400
    assert b'id="id_breakglass_reason_error"' in short.content
    assert not BreakGlassAccess.objects.exists()

    reason = "Medical escort boarding tonight needs the risk details."
    opened = client.post(f"{url}break-glass/", {"reason": reason})
    assert opened.status_code == 302
    access = BreakGlassAccess.objects.get()
    assert (access.user, access.assessment, access.reason) == (
        personas.caseworker_a,
        trafficking,
        reason,
    )
    assert access.expires_at - timezone.now() <= datetime.timedelta(minutes=30)
    assert AuditEvent.objects.filter(action="assessments.break_glass").count() == 1
    assert CANARY.encode() in client.get(url).content
    assert AuditEvent.objects.filter(
        action="assessments.details_view", actor_id=personas.caseworker_a.pk
    ).exists()
    # Only that record: the medical assessment stays closed.
    other = f"/assessments/cases/{case.pk}/members/{member.pk}/assessments/{found[1].pk}/"
    assert CANARY.encode() not in client.get(other).content

    BreakGlassAccess.objects.filter(pk=access.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert CANARY.encode() not in client.get(url).content


def test_break_the_glass_over_the_api(personas: Personas) -> None:
    case, member, found = flagged_case(personas)
    base = f"/api/v1/assessments/cases/{case.pk}/members/{member.pk}/assessments/{found[1].pk}"
    api = Api(personas.caseworker_a)
    closed = api.get(base).json()
    assert (closed["restricted"], closed["details"]) == (True, None)
    assert api.post(f"{base}/break-glass", {"reason": "short"}).status_code == 422
    answer = api.post(f"{base}/break-glass", {"reason": "Paramedic at the airport asks now."})
    assert answer.status_code == 201, answer.content
    opened = api.get(base).json()
    assert opened["restricted"] is False
    assert CANARY in opened["details"]["details"]
    # Someone who holds the permission has no glass to break.
    medical = UserFactory.create(roles=[(personas.office_a, Role.MEDICAL)])
    assert Api(medical).post(f"{base}/break-glass", {"reason": "x" * 30}).status_code == 422


def test_the_data_protection_officer_sees_the_accesses_and_others_do_not(
    personas: Personas,
) -> None:
    case, member, found = flagged_case(personas)
    url = f"/assessments/cases/{case.pk}/members/{member.pk}/assessments/{found[0].pk}/"
    reason = f"Escort briefing {uuid.uuid4().hex}"
    client_for(personas.caseworker_a).post(f"{url}break-glass/", {"reason": reason})
    assert BreakGlassAccess.objects.count() == 1

    dpo_a = UserFactory.create(roles=[(personas.office_a, Role.DPO)])
    page = client_for(dpo_a).get("/assessments/break-glass/")
    assert page.status_code == 200
    assert reason.encode() in page.content
    assert personas.caseworker_a.email.encode() in page.content
    listed = Api(dpo_a).get("/api/v1/assessments/break-glass").json()
    assert [item["reason"] for item in listed] == [reason]
    trail = client_for(dpo_a).get("/audit/")
    assert b"Opened sensitive details (break the glass)" in trail.content

    dpo_b = UserFactory.create(roles=[(personas.office_b, Role.DPO)])
    assert reason.encode() not in client_for(dpo_b).get("/assessments/break-glass/").content
    assert Api(dpo_b).get("/api/v1/assessments/break-glass").json() == []
    for user in (personas.caseworker_a, personas.manager_a):
        assert client_for(user).get("/assessments/break-glass/").status_code == 403
        assert Api(user).get("/api/v1/assessments/break-glass").status_code == 403


def test_child_protection_details_need_the_child_permission(personas: Personas) -> None:
    office = personas.office_a
    case = CaseFactory.create(office=office, principal=adult(office))
    member = members_of(case)[0]
    screen(personas.caseworker_a, member, [Flag.UNACCOMPANIED_OR_SEPARATED_CHILD])
    bid = assess(personas.caseworker_a, member, Kind.BID, family_assessment=f"Aunt {CANARY}")
    operations = UserFactory.create(roles=[(office, Role.OPERATIONS)])
    assert CANARY.encode() not in everything_reachable(operations, case, member, [bid])
    # A caseworker holds "sensitive: children" and reads the BID.
    assert CANARY.encode() in everything_reachable(personas.caseworker_a, case, member, [bid])


def test_the_break_glass_list_does_not_grow_its_queries_with_its_rows(personas: Personas) -> None:
    case, member, found = flagged_case(personas)
    dpo = client_for(UserFactory.create(roles=[(personas.office_a, Role.DPO)]))
    base = f"/assessments/cases/{case.pk}/members/{member.pk}/assessments"
    caseworker = client_for(personas.caseworker_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert dpo.get("/assessments/break-glass/").status_code == 200
        return len(captured)

    caseworker.post(f"{base}/{found[0].pk}/break-glass/", {"reason": "r" * 25})
    queries()  # the first request of the session also saves the session
    one = queries()
    for assessment in found[1:]:
        caseworker.post(f"{base}/{assessment.pk}/break-glass/", {"reason": "r" * 25})
    assert BreakGlassAccess.objects.count() == 3
    assert queries() == one
