"""The pre-departure checklist and the travel page make a number of queries that does not grow
with the size of the family, and the manifest one that does not grow with the bookings."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.cases.factories import CaseFactory
from tests.conftest import Personas, client_for
from tests.consent.factories import adult, child
from tests.factories import UserFactory
from tests.movements.factories import book, issue_document, receive, reconfirm
from tests.safety.factories import set_status
from wayhome.accounts.permissions import Role
from wayhome.cases.models import Case, Relationship
from wayhome.cases.workflow import Status
from wayhome.movements.manifest import manifest_rows
from wayhome.movements.models import Booking
from wayhome.movements.rules import checklist

pytestmark = pytest.mark.django_db


def family(office: Any, children: int) -> Case:
    members = [(child(office), Relationship.CHILD) for _ in range(children)]
    case = CaseFactory.create(office=office, principal=adult(office), members=members)
    case = set_status(case, Status.TRAVEL_PREPARATION)
    travellers = list(case.members.all())
    for member in travellers:
        issue_document(member)
    book(case)
    reconfirm(travellers[0])
    receive(case, travellers[1:] or travellers)
    return case


def count(call: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_the_checklist_does_not_grow_with_the_family(personas: Personas) -> None:
    small, large = family(personas.office_a, 1), family(personas.office_a, 5)
    assert count(lambda: checklist(small)) == count(lambda: checklist(large))


def test_the_travel_page_does_not_grow_with_the_family(personas: Personas) -> None:
    small, large = family(personas.office_a, 1), family(personas.office_a, 5)
    client = client_for(UserFactory.create(roles=[(personas.office_a, Role.OPERATIONS)]))

    def page(case: Case) -> int:
        url = reverse("movements:case-travel", kwargs={"case_id": case.pk})
        return count(lambda: client.get(url))

    page(small)  # warm the session and the permission cache alike
    assert page(small) == page(large)


def test_the_manifest_does_not_grow_with_the_bookings(personas: Personas) -> None:
    one = [family(personas.office_a, 1)]
    more = [family(personas.office_a, 2) for _ in range(3)]

    def rows(cases: list[Case]) -> int:
        bookings = list(Booking.objects.filter(case__in=cases))
        return count(lambda: manifest_rows(bookings))

    assert rows(one) == rows(one + more)
