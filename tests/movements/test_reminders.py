"""The daily travel reminders: the operations officers of an office are e-mailed the case
references of what is due there (a consulate request unanswered for too long, a document that
expires before arrival, a fitness check that lapses before departure, a booking to confirm),
never a name; an office with nothing due gets nothing. The operations work queue lists exactly
the same items.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from tests.assessments.factories import assess
from tests.cases.factories import CaseFactory
from tests.conftest import Personas
from tests.consent.factories import adult
from tests.factories import OfficeFactory, UserFactory
from tests.movements.factories import book, issue_document, journey
from tests.safety.factories import set_status
from wayhome.accounts.models import Office, User
from wayhome.accounts.permissions import Role
from wayhome.assessments.models import Assessment, Kind
from wayhome.cases.models import Case
from wayhome.cases.workflow import Status
from wayhome.movements import services
from wayhome.movements.models import Booking, DocumentKind, DocumentStatus, TravelDocument
from wayhome.movements.selectors import operations_queue
from wayhome.movements.tasks import send_travel_reminders

pytestmark = pytest.mark.django_db

ANSWER_DAYS = 14
SUBJECT = "Travel: reminders for today"


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


def opened(office: Office) -> Case:
    return set_status(
        CaseFactory.create(office=office, principal=adult(office)), Status.TRAVEL_PREPARATION
    )


def requested(case: Case, on: datetime.date) -> TravelDocument:
    return services.document_record(
        actor=None,
        member=case.members.get(),
        kind=DocumentKind.LAISSEZ_PASSER,
        status=DocumentStatus.REQUESTED,
        consulate="Consulate of Nigeria, Berlin",
        requested_on=on,
    )


def operations(office: Office, **kwargs: object) -> User:
    return UserFactory.create(roles=[(office, Role.OPERATIONS)], **kwargs)


@dataclass
class Due:
    unanswered: TravelDocument
    expiring: TravelDocument
    lapsing: Assessment
    to_confirm: Booking
    confirmed: Booking
    cases: list[Case]


def due_in(office: Office, caseworker: User) -> Due:
    """One case per reminder, and cases with something close to due but not yet."""
    # A request to the consulate unanswered for longer than the answer days...
    waiting = opened(office)
    unanswered = requested(waiting, days_ago(ANSWER_DAYS + 1))
    # ... a journey whose principal's document expires, and fitness check lapses, the day
    # before the arrival (departure and arrival in two days) ...
    trip = journey(office)
    expiring = services.document_update(
        actor=None,
        document=TravelDocument.objects.get(member=trip.adult),
        expires_on=today() + datetime.timedelta(days=1),
    )
    lapsing = assess(
        caseworker, trip.adult, Kind.FITNESS, valid_until=today() + datetime.timedelta(days=1)
    )
    # ... and a booking still to confirm.
    unconfirmed = opened(office)
    issue_document(unconfirmed.members.get())
    to_confirm = book(unconfirmed, confirm=False)
    # Not due: a recent request; a document valid long after the arrival.
    requested(opened(office), days_ago(ANSWER_DAYS - 1))
    return Due(
        unanswered, expiring, lapsing, to_confirm, trip.booking, [waiting, trip.case, unconfirmed]
    )


@pytest.fixture
def due(personas: Personas) -> Due:
    return due_in(personas.office_a, personas.caseworker_a)


def names_of(cases: list[Case]) -> list[str]:
    return [
        part
        for case in cases
        for member in case.members.select_related("person")
        for part in (member.person.given_name, member.person.family_name)
    ]


@override_settings(DOCUMENT_ANSWER_DAYS=ANSWER_DAYS)
def test_the_operations_officers_are_told_with_references_only(
    personas: Personas, due: Due
) -> None:
    office = personas.office_a
    officers = [operations(office), operations(office)]
    operations(office, is_active=False)  # a former officer: nothing
    quiet = OfficeFactory.create()
    quiet_officer = operations(quiet)
    requested(opened(quiet), days_ago(ANSWER_DAYS - 1))  # not due yet
    waiting, trip, unconfirmed = (case.reference for case in due.cases)
    mail.outbox.clear()

    sent = send_travel_reminders.call()

    assert sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.email for o in officers)
    assert quiet_officer.email not in [m.to[0] for m in mail.outbox]
    # Caseworkers and managers of the office do not manage movements: not told.
    assert personas.caseworker_a.email not in [m.to[0] for m in mail.outbox]
    expected = "\n".join(
        [
            "Consulate requests without an answer:",
            f"- {waiting}",
            "Travel documents that expire before travel:",
            f"- {trip}",
            "Fitness-to-travel checks that lapse before departure:",
            f"- {trip}",
            "Bookings to confirm:",
            f"- {unconfirmed}",
        ]
    )
    names = names_of(due.cases)
    assert len(names) == 2 * 4
    for message in mail.outbox:
        assert message.subject == SUBJECT
        assert message.body == expected
        for name in names:
            assert name not in message.body
            assert name not in message.subject


@override_settings(DOCUMENT_ANSWER_DAYS=ANSWER_DAYS)
def test_an_office_with_nothing_due_is_not_told(personas: Personas) -> None:
    office = personas.office_b
    officer = operations(office)
    requested(opened(office), days_ago(ANSWER_DAYS - 1))
    issue_document(opened(office).members.get())
    assert operations_queue({office.pk}).is_empty
    mail.outbox.clear()
    assert send_travel_reminders.call() == 0
    assert officer.email not in [m.to[0] for m in mail.outbox]
    assert mail.outbox == []


@override_settings(DOCUMENT_ANSWER_DAYS=ANSWER_DAYS)
def test_the_work_queue_lists_the_same_items(personas: Personas, due: Due) -> None:
    other = due_in(personas.office_b, personas.caseworker_b)  # another office's items
    queue = operations_queue({personas.office_a.pk})
    assert [d.pk for d in queue.requests_unanswered] == [due.unanswered.pk]
    assert [d.pk for d in queue.documents_expiring] == [due.expiring.pk]
    assert [a.pk for a in queue.fitness_expiring] == [due.lapsing.pk]
    assert [b.pk for b in queue.bookings_to_confirm] == [due.to_confirm.pk]
    # The confirmed journey departs within the re-confirmation window.
    assert [b.pk for b in queue.reconfirmations_due] == [due.confirmed.pk]
    assert queue.documents_to_request == []
    assert queue.arrivals_to_confirm == []
    assert queue.count == 5
    both = operations_queue({personas.office_a.pk, personas.office_b.pk})
    assert {d.pk for d in both.requests_unanswered} == {due.unanswered.pk, other.unanswered.pk}
    assert operations_queue(set()).is_empty


@override_settings(DOCUMENT_ANSWER_DAYS=ANSWER_DAYS + 2)
def test_the_answer_days_are_a_setting(personas: Personas, due: Due) -> None:
    assert operations_queue({personas.office_a.pk}).requests_unanswered == []


def test_a_renewed_fitness_check_is_no_longer_due(personas: Personas, due: Due) -> None:
    """The latest check is the one in force: once renewed through the departure, the traveller's
    earlier check that lapses is not a reminder any more."""
    renewed = assess(
        personas.caseworker_a,
        due.lapsing.member,
        Kind.FITNESS,
        valid_until=today() + datetime.timedelta(days=5),
    )
    assert renewed.pk != due.lapsing.pk
    assert operations_queue({personas.office_a.pk}).fitness_expiring == []
    # Nor is a lapsing check followed by one finding the traveller unfit (that blocks the move).
    assess(personas.caseworker_a, due.lapsing.member, Kind.FITNESS, fit_to_travel=False)
    assert operations_queue({personas.office_a.pk}).fitness_expiring == []
