"""The work queue on the home page: per role, and only what the user's offices hold."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.conftest import Personas, client_for
from tests.consent.factories import cover_travellers
from tests.factories import UserFactory
from wayhome.accounts.models import User
from wayhome.accounts.permissions import Role
from wayhome.cases.models import Case
from wayhome.cases.services import case_transition
from wayhome.cases.workflow import Status

pytestmark = pytest.mark.django_db

HOME = reverse("core:home")


def home(user: User) -> str:
    return str(client_for(user).get(HOME).content.decode())


def detail(case: Case) -> str:
    return reverse("cases:case-detail", kwargs={"case_id": case.pk})


def submit(case: Case, actor: User) -> None:
    case_transition(actor=actor, case=case, target=Status.COUNSELLING)
    cover_travellers(actor, case)
    case_transition(actor=actor, case=case, target=Status.APPLICATION_SUBMITTED)


def counts(html: str) -> dict[str, int]:
    table = re.search(r'<table[^>]*class="queue-counts".*?</table>', html, re.S)
    if table is None:
        return {}
    rows = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td></tr>", table[0])
    return {label: int(n) for label, n in rows}


def test_a_caseworker_sees_their_open_cases_grouped_by_status(personas: Personas) -> None:
    cw = personas.caseworker_a
    registered = [CaseFactory.create(office=personas.office_a, assigned_to=cw) for _ in range(2)]
    counselling = CaseFactory.create(office=personas.office_a, assigned_to=cw)
    case_transition(actor=cw, case=counselling, target=Status.COUNSELLING)
    withdrawn = CaseFactory.create(office=personas.office_a, assigned_to=cw)
    case_transition(actor=cw, case=withdrawn, target=Status.WITHDRAWN, reason="changed mind")
    someone_elses = CaseFactory.create(office=personas.office_a)
    html = home(cw)
    assert counts(html) == {"Registered": 2, "Counselling": 1}
    for case in [*registered, counselling]:
        assert detail(case) in html
    assert detail(withdrawn) not in html
    assert detail(someone_elses) not in html
    assert "Nothing is waiting for you." not in html


def test_a_manager_sees_applications_to_approve_but_not_their_own(personas: Personas) -> None:
    manager = personas.manager_a
    # A manager who also works cases (caseworker role) and submitted one application.
    other_manager = UserFactory.create(
        email="pm2-a@example.org",
        roles=[(personas.office_a, Role.MANAGER), (personas.office_a, Role.CASEWORKER)],
    )
    by_caseworker = CaseFactory.create(office=personas.office_a)
    submit(by_caseworker, personas.caseworker_a)
    by_other_manager = CaseFactory.create(office=personas.office_a)
    submit(by_other_manager, other_manager)
    in_b = CaseFactory.create(office=personas.office_b)
    submit(in_b, personas.caseworker_b)
    html = home(manager)
    assert detail(by_caseworker) in html
    assert detail(by_other_manager) in html
    assert detail(in_b) not in html
    theirs = home(other_manager)
    assert detail(by_caseworker) in theirs
    assert detail(by_other_manager) not in theirs.split("Applications waiting for your approval")[1]
    # A caseworker approves nothing: the application they submitted is not in their queue.
    assert detail(by_caseworker) not in home(personas.caseworker_a)


def test_stuck_cases_are_listed_after_30_days(personas: Personas) -> None:
    cw = personas.caseworker_a
    stuck = CaseFactory.create(office=personas.office_a, assigned_to=cw)
    fresh = CaseFactory.create(office=personas.office_a, assigned_to=cw)
    Case.objects.filter(pk=stuck.pk).update(
        status_changed_at=timezone.now() - datetime.timedelta(days=31)
    )
    html = home(cw)
    section = html.split("Cases in the same status for over 30 days")[1]
    assert detail(stuck) in section
    assert detail(fresh) not in section
    # The office's manager sees it among the office's stuck cases.
    assert detail(stuck) in home(personas.manager_a).split("for over 30 days")[1]


def test_the_queue_respects_office_isolation(personas: Personas) -> None:
    # A user working in both offices: a case of B assigned to them stays out of A's user's view.
    theirs = CaseFactory.create(office=personas.office_b, assigned_to=personas.caseworker_b)
    Case.objects.filter(pk=theirs.pk).update(
        status_changed_at=timezone.now() - datetime.timedelta(days=90)
    )
    submit(theirs, personas.caseworker_b)
    for user in (personas.caseworker_a, personas.manager_a, personas.auditor_a):
        html = home(user)
        assert detail(theirs) not in html
        assert theirs.reference not in html
    assert "Nothing is waiting for you." in home(personas.auditor_a)
    assert counts(home(personas.caseworker_b)) == {"Application submitted": 1}


def test_the_queue_needs_few_queries(personas: Personas) -> None:
    def queries() -> int:
        client = client_for(personas.manager_a)
        client.get(HOME)
        with CaptureQueriesContext(connection) as captured:
            client.get(HOME)
        return len(captured)

    case = CaseFactory.create(office=personas.office_a)
    submit(case, personas.caseworker_a)
    few = queries()
    for _ in range(4):
        submit(CaseFactory.create(office=personas.office_a), personas.caseworker_a)
    assert queries() == few
