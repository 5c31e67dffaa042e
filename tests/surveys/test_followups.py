"""The follow-ups: due on arrival + days after arrival, overdue after the window, done or refused
by an interview, hidden until 14 days before; a fixed number of queries whatever the cases."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from tests.conftest import Personas
from tests.factories import UserFactory
from tests.movements.factories import HandoverFactory, origin_office
from tests.surveys.factories import arrived, interview, schedule
from wayhome.accounts.models import Office, User
from wayhome.accounts.permissions import Role
from wayhome.cases.models import CaseMember, Relationship
from wayhome.movements.models import Arrival
from wayhome.movements.services import handover_acknowledge
from wayhome.surveys.models import Consent, Outcome, ScheduleItem
from wayhome.surveys.selectors import followups, followups_due

pytestmark = pytest.mark.django_db

ARRIVED = datetime.date(2026, 1, 10)


def officer(office: Office) -> User:
    return UserFactory.create(roles=[(office, Role.REINTEGRATION)])


def arrived_on(office: Office, day: datetime.date = ARRIVED, **kwargs: Any) -> Any:
    case = arrived(office, **kwargs)
    Arrival.objects.filter(case=case).update(arrived_on=day)
    return case


def statuses(user: User, today: datetime.date, **kwargs: Any) -> dict[str, str]:
    found = followups(user, today=today, **kwargs)
    return {row.item.name: row.status for row in found}


def _plan(office: Office) -> None:
    schedule(office, name="Baseline at arrival", days=0)
    schedule(office, name="6 months", days=182)
    schedule(office, name="12 months", days=365)


def test_due_overdue_upcoming_and_hidden(personas: Personas) -> None:
    _plan(personas.office_a)
    arrived_on(personas.office_a)
    user = officer(personas.office_a)
    # Day 0: the baseline is due; 6 and 12 months are far away (hidden).
    assert statuses(user, ARRIVED) == {"Baseline at arrival": "due"}
    # Day 30 is the window's last day; day 31 overdue.
    assert statuses(user, ARRIVED + datetime.timedelta(days=30)) == {"Baseline at arrival": "due"}
    day_170 = ARRIVED + datetime.timedelta(days=170)
    assert statuses(user, day_170) == {"Baseline at arrival": "overdue", "6 months": "upcoming"}
    day_200 = ARRIVED + datetime.timedelta(days=200)
    assert statuses(user, day_200) == {"Baseline at arrival": "overdue", "6 months": "due"}
    assert followups_due(user, today=day_200) == {"due": 1, "overdue": 1}
    # The counts (in the database) follow the list's rule (in Python) on every day around the
    # edges of the windows.
    for days in (-1, 0, 30, 31, 181, 182, 212, 213, 364, 365, 395, 396):
        day = ARRIVED + datetime.timedelta(days=days)
        listed = [f.status for f in followups(user, today=day)]
        assert followups_due(user, today=day) == {
            "due": listed.count("due"),
            "overdue": listed.count("overdue"),
        }, days
    row = followups(user, today=day_200)[0]
    assert row.due_on == ARRIVED
    assert row.closes_on == ARRIVED + datetime.timedelta(days=30)
    assert row.label == "Principal applicant (1)"


def test_done_and_refused(personas: Personas) -> None:
    _plan(personas.office_a)
    case = arrived_on(personas.office_a)
    items = {item.name: item for item in ScheduleItem.objects.all()}
    user = officer(personas.office_a)
    interview(case, schedule_item=items["Baseline at arrival"])
    interview(
        case,
        schedule_item=items["6 months"],
        outcome=Outcome.UNREACHABLE,
    )
    day_200 = ARRIVED + datetime.timedelta(days=200)
    assert statuses(user, day_200) == {"6 months": "due"}
    assert followups(user, today=day_200)[0].attempts == 1
    every = ("upcoming", "due", "overdue", "done", "refused")
    assert statuses(user, day_200, statuses=every) == {
        "Baseline at arrival": "done",
        "6 months": "due",
    }
    interview(
        case,
        schedule_item=items["6 months"],
        outcome=Outcome.REFUSED,
        consent=Consent.REFUSED,
    )
    assert statuses(user, day_200, statuses=every) == {
        "Baseline at arrival": "done",
        "6 months": "refused",
    }
    assert followups_due(user, today=day_200) == {"due": 0, "overdue": 0}


def test_each_returnee_has_follow_ups_and_only_their_programme_and_office(
    personas: Personas,
) -> None:
    schedule(personas.office_a, name="Baseline at arrival", days=0)
    schedule(personas.office_a, name="AVR baseline", days=0, programme="AVR")
    schedule(personas.office_b, name="Baseline B", days=0)
    stopped = schedule(personas.office_a, name="Stopped", days=0)
    stopped.active = False
    stopped.save()
    case = arrived_on(personas.office_a, with_child=True)
    rows = followups(officer(personas.office_a), today=ARRIVED)
    assert [(r.item.name, r.label) for r in rows] == [
        ("Baseline at arrival", "Child (2)"),
        ("Baseline at arrival", "Principal applicant (1)"),
    ]
    # A member who does not travel is no returnee.
    CaseMember.objects.filter(case=case, relationship=Relationship.CHILD).update(travelling=False)
    rows = followups(officer(personas.office_a), today=ARRIVED)
    assert [r.label for r in rows] == ["Principal applicant (1)"]


def test_not_arrived_and_other_offices_cases_are_left_out(personas: Personas) -> None:
    _plan(personas.office_a)
    arrived_on(personas.office_a)
    Arrival.objects.all().delete()
    assert followups(officer(personas.office_a), today=ARRIVED) == []
    arrived_on(personas.office_a)
    assert followups(officer(personas.office_b), today=ARRIVED) == []
    # A caseworker (no "conduct surveys") has none either.
    assert followups(personas.caseworker_a, today=ARRIVED) == []


def test_an_origin_office_that_took_the_case_over_sees_its_follow_ups(personas: Personas) -> None:
    _plan(personas.office_a)
    case = arrived_on(personas.office_a)
    origin = origin_office()
    handover = HandoverFactory.create(case=case, to=origin)
    user = officer(origin)
    assert followups(user, today=ARRIVED) == []
    handover_acknowledge(actor=user, handover=handover)
    assert statuses(user, ARRIVED) == {"Baseline at arrival": "due"}


def test_the_number_of_queries_does_not_grow_with_the_cases(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    _plan(personas.office_a)
    user = officer(personas.office_a)
    case = arrived_on(personas.office_a)
    interview(case, outcome=Outcome.UNREACHABLE)
    day = ARRIVED + datetime.timedelta(days=200)
    with django_assert_max_num_queries(8) as one:
        assert len(followups(user, today=day)) == 2
    for _n in range(4):
        other = arrived_on(personas.office_a, with_child=True)
        interview(other, outcome=Outcome.UNREACHABLE)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(followups(user, today=day)) == 2 + 4 * 4
