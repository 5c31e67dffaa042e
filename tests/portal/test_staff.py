"""The staff side (/outreach/): inquiries of the user's offices only (another office's answer
404), reading one is audited, recording the handling with a version check; country pages
written, changed, published and reviewed by those who manage the portal, each act audited."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import Personas, client_for
from tests.factories import UserFactory
from tests.portal.factories import CountryPageFactory, InquiryFactory
from wayhome.accounts.models import User
from wayhome.accounts.permissions import Role
from wayhome.audit.models import AuditEvent
from wayhome.portal.models import CountryPage, Inquiry, InquiryStatus, Outcome
from wayhome.portal.selectors import new_inquiries

pytestmark = pytest.mark.django_db


def _detail(inquiry: Inquiry) -> str:
    return f"/outreach/inquiries/{inquiry.pk}/"


def _page_url(page: CountryPage, tail: str = "") -> str:
    return f"/outreach/country-pages/{page.pk}/{tail}"


@pytest.fixture
def officer_a(personas: Personas) -> User:
    """A reintegration officer: manages the portal, does not handle inquiries."""
    return UserFactory.create(
        email="ro-a@example.org", roles=[(personas.office_a, Role.REINTEGRATION)]
    )


# --- inquiries ----------------------------------------------------------------------------------


def test_the_list_shows_only_the_users_offices_with_counts(personas: Personas) -> None:
    mine = InquiryFactory.create(office=personas.office_a)
    InquiryFactory.create(office=personas.office_a, status=InquiryStatus.CONTACTED)
    theirs = InquiryFactory.create(office=personas.office_b)
    response = client_for(personas.caseworker_a).get("/outreach/inquiries/")
    assert response.status_code == 200
    html = response.content.decode()
    assert str(mine.pk) in html
    assert str(theirs.pk) not in html
    assert "New: 1" in html
    assert "Contacted: 1" in html
    assert "All: 2" in html
    # No personal data on the list (it is on each inquiry's page, audited).
    assert "Fatou" not in html
    assert "+221" not in html
    other = client_for(personas.caseworker_b).get("/outreach/inquiries/").content.decode()
    assert str(theirs.pk) in other
    assert str(mine.pk) not in other


def test_the_list_filters_by_status_newest_first(personas: Personas) -> None:
    old = InquiryFactory.create(office=personas.office_a)
    new = InquiryFactory.create(office=personas.office_a)
    Inquiry.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
    closed = InquiryFactory.create(
        office=personas.office_a, status=InquiryStatus.CLOSED, outcome=Outcome.OTHER
    )
    client = client_for(personas.caseworker_a)
    html = client.get("/outreach/inquiries/").content.decode()
    assert html.index(str(closed.pk)) < html.index(str(new.pk)) < html.index(str(old.pk))
    only_new = client.get("/outreach/inquiries/?status=new").content.decode()
    assert str(new.pk) in only_new
    assert str(closed.pk) not in only_new


def test_the_list_pages_and_its_queries_do_not_grow(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    for _ in range(30):
        InquiryFactory.create(office=personas.office_a)
    client = client_for(personas.caseworker_a)
    client.get("/outreach/inquiries/")  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get("/outreach/inquiries/")
    assert response.status_code == 200
    assert "Page 1 of 2" in response.content.decode()
    assert "Page 2 of 2" in client.get("/outreach/inquiries/?page=2").content.decode()


def test_users_without_the_permission_are_refused(personas: Personas, officer_a: User) -> None:
    assert client_for(officer_a).get("/outreach/inquiries/").status_code == 403
    assert client_for(personas.auditor_a).get("/outreach/inquiries/").status_code == 403
    assert Client().get("/outreach/inquiries/").status_code == 302  # to sign in


def test_reading_an_inquiry_is_audited(personas: Personas) -> None:
    inquiry = InquiryFactory.create(office=personas.office_a)
    response = client_for(personas.caseworker_a).get(_detail(inquiry))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "Fatou Diallo" in html
    assert "+221 77 555 0100" in html
    event = AuditEvent.objects.get(action="portal.inquiry_view")
    assert (event.actor_id, event.object_id, event.office_id) == (
        personas.caseworker_a.pk,
        str(inquiry.pk),
        personas.office_a.pk,
    )


def test_another_office_gets_404_and_no_audit(personas: Personas, officer_a: User) -> None:
    inquiry = InquiryFactory.create(office=personas.office_a)
    for user in (personas.caseworker_b, officer_a):
        client = client_for(user)
        assert client.get(_detail(inquiry)).status_code == 404
        assert client.post(_detail(inquiry), {"status": "contacted"}).status_code == 404
    assert not AuditEvent.objects.filter(action="portal.inquiry_view").exists()
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.NEW


def test_recording_contact_outcome_notes_and_closing(personas: Personas) -> None:
    inquiry = InquiryFactory.create(office=personas.office_a)
    client = client_for(personas.caseworker_a)
    response = client.post(
        _detail(inquiry),
        {
            "status": "contacted",
            "outcome": "",
            "staff_notes": "Called, speaks Wolof.",
            "version": 1,
        },
    )
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.CONTACTED
    assert inquiry.contacted_at is not None
    assert inquiry.handled_by == personas.caseworker_a
    assert inquiry.staff_notes == "Called, speaks Wolof."
    # Closing needs an outcome.
    refused = client.post(
        _detail(inquiry), {"status": "closed", "outcome": "", "staff_notes": "", "version": 2}
    )
    assert refused.status_code == 400
    assert "Say how the inquiry ended" in refused.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.CONTACTED
    assert inquiry.staff_notes == "Called, speaks Wolof."
    closed = client.post(
        _detail(inquiry),
        {
            "status": "closed",
            "outcome": "wants_to_apply",
            "staff_notes": "Appointment.",
            "version": 2,
        },
    )
    assert closed.status_code == 302
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.outcome) == (InquiryStatus.CLOSED, Outcome.WANTS_TO_APPLY)
    assert inquiry.closed_at is not None
    events = AuditEvent.objects.filter(action="portal.inquiry_update").order_by("seq")
    assert [e.details["status"] for e in events] == ["contacted", "closed"]
    assert all("Wolof" not in str(e.details) for e in events)


def test_a_stale_edit_is_refused(personas: Personas) -> None:
    inquiry = InquiryFactory.create(office=personas.office_a)
    client = client_for(personas.caseworker_a)
    first = {"status": "contacted", "outcome": "", "staff_notes": "First.", "version": 1}
    assert client.post(_detail(inquiry), first).status_code == 302
    second = {"status": "contacted", "outcome": "", "staff_notes": "Second.", "version": 1}
    response = client.post(_detail(inquiry), second)
    assert response.status_code == 400
    assert "Someone else changed this inquiry" in response.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.staff_notes == "First."


def test_notes_are_encrypted(personas: Personas) -> None:
    inquiry = InquiryFactory.create(office=personas.office_a, staff_notes="Secret note xyzzy")
    from django.db import connection

    pk = Inquiry._meta.pk.get_db_prep_value(inquiry.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT staff_notes FROM portal_inquiry WHERE id = %s", [pk])
        (raw,) = cursor.fetchone()
    assert b"xyzzy" not in bytes(raw)


def test_new_inquiries_counts_what_the_user_may_see(personas: Personas, officer_a: User) -> None:
    InquiryFactory.create_batch(2, office=personas.office_a)
    InquiryFactory.create(office=personas.office_a, status=InquiryStatus.CONTACTED)
    InquiryFactory.create(office=personas.office_b)
    assert new_inquiries(personas.caseworker_a) == 2
    assert new_inquiries(personas.manager_a) == 2
    assert new_inquiries(personas.caseworker_b) == 1
    assert new_inquiries(officer_a) == 0
    assert new_inquiries(personas.partner) == 0


# --- country pages ------------------------------------------------------------------------------


def _page_form(**changes: Any) -> dict[str, Any]:
    data = {
        "office": "office-a",
        "country": "SN",
        "language": "fr",
        "title": "Retourner au Sénégal",
        "assistance": "Accueil à l'aéroport.",
        "practical_information": "Apportez vos documents.",
    }
    data.update(changes)
    return data


def test_writing_a_page_and_publishing_it(personas: Personas, officer_a: User) -> None:
    client = client_for(officer_a)
    assert client.get("/outreach/country-pages/new/").status_code == 200
    response = client.post("/outreach/country-pages/new/", _page_form())
    assert response.status_code == 302
    page = CountryPage.objects.get()
    assert (page.office, page.country, page.language) == (personas.office_a, "SN", "fr")
    assert page.published is False
    assert page.last_reviewed == timezone.localdate()
    assert page.reviewed_by == officer_a
    assert Client().get("/portal/countries/SN/").status_code == 404
    assert client.post(_page_url(page, "publish/"), {"published": "1"}).status_code == 302
    assert b"Retourner au S" in Client().get("/portal/countries/SN/").content
    assert client.post(_page_url(page, "publish/"), {"published": "0"}).status_code == 302
    assert Client().get("/portal/countries/SN/").status_code == 404
    actions = list(
        AuditEvent.objects.filter(action__startswith="portal.page")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["portal.page_create", "portal.page_publish", "portal.page_unpublish"]


def test_one_page_per_office_country_and_language(personas: Personas, officer_a: User) -> None:
    CountryPageFactory.create(office=personas.office_a, country="SN", language="fr")
    response = client_for(officer_a).post("/outreach/country-pages/new/", _page_form())
    assert response.status_code == 400
    assert "already has a page for this country in this language" in response.content.decode()
    assert CountryPage.objects.count() == 1


def test_changing_and_reviewing_a_page(personas: Personas, officer_a: User) -> None:
    old = timezone.localdate() - datetime.timedelta(days=500)
    page = CountryPageFactory.create(office=personas.office_a, country="NG", last_reviewed=old)
    client = client_for(officer_a)
    detail = client.get(_page_url(page))
    assert b"Review overdue" in detail.content
    edit = _page_form(country="NG", language="en", title="Back home", version=page.version)
    del edit["office"]
    assert client.post(_page_url(page), edit).status_code == 302
    page.refresh_from_db()
    assert page.title == "Back home"
    assert page.last_reviewed == old  # a change is not a review
    stale = client.post(_page_url(page), {**edit, "title": "Other", "version": 1})
    assert stale.status_code == 400
    assert b"Someone else changed this page" in stale.content
    assert client.post(_page_url(page, "review/"), {"version": page.version}).status_code == 302
    page.refresh_from_db()
    assert page.last_reviewed == timezone.localdate()
    assert page.reviewed_by == officer_a
    assert AuditEvent.objects.filter(action="portal.page_review", object_id=str(page.pk)).exists()
    assert AuditEvent.objects.filter(action="portal.page_change", object_id=str(page.pk)).exists()


def test_country_pages_of_another_office_answer_404(personas: Personas) -> None:
    page = CountryPageFactory.create(office=personas.office_b, published=False)
    client = client_for(personas.manager_a)
    assert client.get(_page_url(page)).status_code == 404
    assert client.post(_page_url(page, "publish/"), {"published": "1"}).status_code == 404
    assert client.post(_page_url(page, "review/")).status_code == 404
    listing = client.get("/outreach/country-pages/").content.decode()
    assert str(page.pk) not in listing
    page.refresh_from_db()
    assert page.published is False


def test_caseworkers_do_not_manage_country_pages(personas: Personas) -> None:
    page = CountryPageFactory.create(office=personas.office_a)
    client = client_for(personas.caseworker_a)
    assert client.get("/outreach/country-pages/").status_code == 403
    assert client.get("/outreach/country-pages/new/").status_code == 403
    assert client.get(_page_url(page)).status_code == 404


def test_the_country_page_list_queries_do_not_grow(
    personas: Personas, officer_a: User, django_assert_max_num_queries: Any
) -> None:
    for country in ("NG", "SN", "IQ", "AF", "GH", "ML"):
        CountryPageFactory.create(office=personas.office_a, country=country)
    client = client_for(officer_a)
    client.get("/outreach/country-pages/")
    with django_assert_max_num_queries(10):
        response = client.get("/outreach/country-pages/")
    assert response.status_code == 200
    assert response.content.decode().count("/outreach/country-pages/") >= 6
