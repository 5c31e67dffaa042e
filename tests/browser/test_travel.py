"""The issue's done-when, in chromium and through the pages only: an approved case travels to
``arrived``. The operations officer moves it to travel preparation and records each traveller's
travel document; the medical officer records a fitness-to-travel check; the operations officer
books the journey (BER → FRA → LOS, in local times, departing today) and confirms it; the
caseworker records the re-confirmations, the reception and the data-sharing consent, and hands the
case over to the origin office in Lagos; the operations officer marks the case ready to depart and
confirms the departure; Lagos's reintegration officer opens the package from "Hand-overs" and
confirms the arrival.

On the way: the checklist and the refused move name what is missing (the re-confirmation), a
hand-over without consent is refused, and the origin office's user then finds none of the host
office's pages (404) and no restricted finding in the package. No page breaks the Content
Security Policy.

Each user works in a browser of their own, signed in once (the demo enrols two-step sign-in at
the first sign-in), so that the story can go back and forth between them.
"""

from __future__ import annotations

import datetime
import re
import secrets
import string
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.demo_server import DemoServer, sign_in_and_enrol

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

OPERATIONS = "operations@demo.wayhome.org"
MEDICAL = "medical@demo.wayhome.org"
CASEWORKER = "caseworker@demo.wayhome.org"
REINTEGRATION = "reintegration@demo.wayhome.org"  # the reintegration officer of Lagos (origin)
LAGOS = "Lagos (ng-los)"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
CASE_PAGE = re.compile(rf"/cases/({UUID})/$")
TRAVEL_PAGE = re.compile(rf"/travel/cases/({UUID})/$")
BOOKING_PAGE = re.compile(rf"/travel/cases/{UUID}/bookings/({UUID})/$")
MEMBER_PAGE = re.compile(rf"/assessments/cases/{UUID}/members/({UUID})/$")
ASSESSMENT_PAGE = re.compile(rf"/assessments/cases/{UUID}/members/{UUID}/assessments/{UUID}/$")
HANDOVER_PAGE = re.compile(rf"/travel/handovers/({UUID})/$")
PERSON_PAGE = re.compile(rf"/people/({UUID})/$")
RECONFIRMATION_MISSING = "Voluntariness must be re-confirmed within 3 days before departure."
EVERYTHING_READY = "Everything is ready: the case can be marked ready to depart on the case page."


@dataclass
class Browser:
    """A signed-in user's own browser context, and the CSP violations its pages report."""

    page: Any
    violations: list[str] = field(default_factory=list)


def _sign_in(chromium: Any, server: DemoServer, email: str, contexts: list[Any]) -> Browser:
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    contexts.append(context)
    page = context.new_page()
    browser = Browser(page)
    page.on(
        "console",
        lambda message: (
            browser.violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    sign_in_and_enrol(page, server, email)
    return browser


def _named(label: str) -> re.Pattern[str]:
    """A field's label exactly, with or without the required mark (an aria-hidden "*")."""
    return re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$")


def _server_today() -> str:
    """The demo server's date (its time zone is UTC), which date fields offer by default."""
    return datetime.datetime.now(tz=datetime.UTC).date().isoformat()


def _marker(prefix: str) -> str:
    return prefix + "".join(secrets.choice(string.ascii_uppercase) for _ in range(8))


def _submit(page: Any, button: Any) -> None:
    """Clicks a submit button and waits for the page it leads to."""
    with page.expect_navigation():
        button.click()


def _messages(page: Any) -> str:
    return str(page.inner_text(".messages"))


def _badge(page: Any) -> str:
    """The status badge: in the case page's heading, else the first of the page."""
    heading = page.locator("h1 .badge")
    badge = heading if heading.count() else page.locator("main .badge").first
    return str(badge.inner_text()).strip()


def _move(page: Any, target: str) -> None:
    """Moves the case with the case page's transition form (refused or not)."""
    form = page.locator("form[action$='/transition/']")
    form.locator("select[name=target]").select_option(target)
    _submit(page, form.get_by_role("button", name="Move the case"))


def _section(page: Any, heading_id: str) -> Any:
    return page.locator("section", has=page.locator(f"#{heading_id}"))


def _checklist(page: Any) -> str:
    return str(_section(page, "checklist-heading").inner_text())


def _travellers(page: Any) -> list[tuple[str, bool]]:
    """(label, is a child) of each traveller row of the travel page."""
    heads = _section(page, "travellers-heading").locator("tbody tr th")
    rows = []
    for i in range(heads.count()):
        text = str(heads.nth(i).inner_text()).strip()
        label, _, rest = text.partition(" · ")
        rows.append((label.strip(), "child" in rest))
    return rows


def _traveller_row(page: Any, label: str) -> Any:
    return _section(page, "travellers-heading").locator(
        "tbody tr", has=page.locator("th", has_text=label)
    )


def test_approved_case_travels_to_arrival_and_the_origin_office_sees_only_the_package(
    server: DemoServer, chromium: Any
) -> None:
    # Dates: the server's day (UTC) for what is recorded, Berlin's for the flights from BER.
    today = datetime.date.fromisoformat(_server_today())
    berlin_today = datetime.datetime.now(tz=ZoneInfo("Europe/Berlin")).date()
    tomorrow = berlin_today + datetime.timedelta(days=1)
    findings = _marker("FINDINGS")
    notes = _marker("NOTES")
    booking_reference = _marker("")[:6]

    contexts: list[Any] = []
    try:
        # 1. The operations officer finds an approved case of Berlin returning to Nigeria.
        operations = _sign_in(chromium, server, OPERATIONS, contexts)
        page = operations.page
        page.goto(server.url + "/cases/")
        filters = page.locator("form[aria-label='Filter cases']")
        filters.get_by_label(_named("Status")).select_option(label="Approved")
        filters.get_by_label(_named("Office")).select_option(label="Berlin (de-ber)")
        filters.get_by_label(_named("Country of return")).select_option("NG")
        filters.get_by_role("button", name="Filter").click()
        page.wait_for_url(re.compile(r"/cases/\?.*status=approved"))
        row = page.locator("#case-results tbody tr").first
        cells = [str(c).strip() for c in row.locator("td").all_inner_texts()]
        assert (cells[2], cells[4], cells[5]) == ("Approved", "NG", "Berlin")
        reference = cells[0]
        family_name, given_name = (part.strip() for part in cells[1].split(",", 1))
        row.get_by_role("link", name=reference).click()
        page.wait_for_url(CASE_PAGE)
        match = CASE_PAGE.search(page.url)
        assert match is not None
        case_id = match.group(1)
        case_url = server.url + f"/cases/{case_id}/"
        travel_url = server.url + f"/travel/cases/{case_id}/"
        assert _badge(page) == "Approved"
        members = _section(page, "members-heading")
        principal = members.locator("tbody tr", has_text="Principal applicant")
        assert f"{family_name}, {given_name}" in principal.inner_text()
        person_match = PERSON_PAGE.search(str(principal.get_by_role("link").get_attribute("href")))
        assert person_match is not None
        person_id = person_match.group(1)

        _move(page, "travel_preparation")
        assert page.url == case_url
        assert _badge(page) == "Travel preparation"
        assert "The case is now “Travel preparation”." in _messages(page)
        page.locator("#travel-panel").get_by_role("link", name="Travel page").click()
        page.wait_for_url(TRAVEL_PAGE)
        assert page.inner_text("h1") == f"Travel: {reference}"
        travellers = _travellers(page)
        labels = [label for label, _child in travellers]
        assert labels[0] == "Principal applicant (1)"
        assert "No valid travel document." in _checklist(page)
        assert "A confirmed booking is needed." in _checklist(page)

        # An issued emergency travel document for each traveller.
        for number, label in enumerate(labels, start=1):
            _traveller_row(page, label).get_by_role("link", name="Add a travel document").click()
            page.wait_for_url(re.compile(rf"/members/{UUID}/documents/new/$"))
            assert page.inner_text("h1") == f"New travel document: {label}"
            form = page.locator("main form")
            form.get_by_label(_named("Type")).select_option(label="Emergency travel document")
            form.get_by_label(_named("Status")).select_option(label="Issued")
            form.get_by_label(_named("Consulate or issuing authority")).fill(
                "Embassy of Nigeria, Berlin"
            )
            form.get_by_label(_named("Document number")).fill(f"ETD{booking_reference}{number}")
            form.get_by_label(_named("Issuing country (ISO code)")).fill("NG")
            form.get_by_label(_named("Issued on")).fill(
                (today - datetime.timedelta(days=14)).isoformat()
            )
            form.get_by_label(_named("Expires on")).fill(
                (today + datetime.timedelta(days=365)).isoformat()
            )
            form.get_by_role("button", name="Save the document").click()
            page.wait_for_url(travel_url)
            assert "The travel document is recorded." in _messages(page)
            documents = str(_traveller_row(page, label).locator("td").first.inner_text())
            assert "Emergency travel document: Issued" in documents
        assert "No valid travel document." not in _checklist(page)

        # 2. The medical officer: a fitness-to-travel check of the principal applicant.
        medical = _sign_in(chromium, server, MEDICAL, contexts)
        page = medical.page
        page.goto(travel_url)
        _traveller_row(page, labels[0]).get_by_role("link", name="Assessments").click()
        page.wait_for_url(MEMBER_PAGE)
        member_url = page.url
        member_match = MEMBER_PAGE.search(member_url)
        assert member_match is not None
        principal_member = member_match.group(1)
        page.get_by_role("link", name="Record: Fitness-to-travel check").click()
        page.wait_for_url(re.compile(r"/assessments/new/\?kind=fitness$"))
        form = page.locator("#assessment-form form")
        assert form.get_by_label(_named("Assessed on")).input_value() == _server_today()
        form.get_by_label(_named("Fit to travel")).check()
        form.get_by_label(_named("Valid until")).fill(
            (berlin_today + datetime.timedelta(days=7)).isoformat()
        )
        form.get_by_label(_named("Findings")).fill(f"Stable after treatment. {findings}")
        form.get_by_role("button", name="Record the assessment").click()
        page.wait_for_url(member_url)
        assert "The assessment is recorded." in _messages(page)
        history = _section(page, "assessments-heading").locator("tbody tr").first
        assert "Fitness-to-travel check" in history.inner_text()
        history.get_by_role("link", name="Open").click()
        page.wait_for_url(ASSESSMENT_PAGE)
        assessment_url = page.url
        assert findings in page.inner_text("main")  # the medical officer reads the findings
        page.goto(travel_url)
        fitness = str(_traveller_row(page, labels[0]).locator("td").nth(1).inner_text())
        assert "Fit to travel" in fitness
        assert findings not in page.inner_text("main")

        # 3. The operations officer books the journey, in local times, departing today.
        page = operations.page
        page.goto(travel_url)
        page.get_by_role("link", name="Book a journey").click()
        page.wait_for_url(re.compile(r"/bookings/new/$"))
        form = page.locator("main form")
        for label in labels:  # every traveller is a passenger unless unticked
            assert form.get_by_label(_named(label)).is_checked()
        form.get_by_label(_named("Booking reference")).fill(booking_reference)
        form.get_by_role("button", name="Record the booking").click()
        page.wait_for_url(BOOKING_PAGE)
        booking_url = page.url
        booking_match = BOOKING_PAGE.search(booking_url)
        assert booking_match is not None
        booking_id = booking_match.group(1)
        assert "The booking is recorded: add its flights." in _messages(page)
        assert _badge(page) == "To confirm"
        flights = [
            ("LH", "2035", "BER", f"{berlin_today}T21:00", "FRA", f"{berlin_today}T22:10"),
            ("LH", "568", "FRA", f"{berlin_today}T23:00", "LOS", f"{tomorrow}T05:30"),
        ]
        for carrier, flight, origin, departs, destination, arrives in flights:
            form = page.locator("form[action$='/segments/']")
            form.get_by_label(_named("Airline (IATA code)")).fill(carrier)
            form.get_by_label(_named("Flight number")).fill(flight)
            form.get_by_label(_named("From (airport IATA code)")).fill(origin)
            form.get_by_label(_named("Departs (local time at that airport)")).fill(departs)
            form.get_by_label(_named("To (airport IATA code)")).fill(destination)
            form.get_by_label(_named("Arrives (local time at that airport)")).fill(arrives)
            form.get_by_role("button", name="Add the flight").click()
            page.wait_for_url(booking_url)
            assert "The flight is added." in _messages(page)
        itinerary = _section(page, "flights-heading").locator("tbody tr")
        assert itinerary.count() == 2
        assert "Europe/Berlin" in itinerary.nth(0).inner_text()
        assert "Africa/Lagos" in itinerary.nth(1).inner_text()
        page.get_by_role("button", name="Confirm the booking").click()
        page.wait_for_url(travel_url)
        assert "The booking is confirmed." in _messages(page)
        booking = str(_section(page, "booking-heading").inner_text())
        assert "Confirmed" in booking
        assert booking_reference in booking
        assert f"Departure {berlin_today}" in page.inner_text("main")
        assert f"arrival {tomorrow}" in page.inner_text("main")
        checklist = _checklist(page)
        assert RECONFIRMATION_MISSING in checklist
        assert "A confirmed booking is needed." not in checklist

        # The case cannot be ready to depart yet: the case page says why.
        page.goto(case_url)
        _move(page, "ready_to_depart")
        assert _badge(page) == "Travel preparation"
        refused = str(page.locator("#missing .form-errors[role=alert]").inner_text())
        assert f"{RECONFIRMATION_MISSING} (Principal applicant (1))" in refused

        # 4. The caseworker: re-confirmations, the reception, the consent and the hand-over.
        caseworker = _sign_in(chromium, server, CASEWORKER, contexts)
        page = caseworker.page
        page.goto(travel_url)
        for label, child in travellers:
            if child:
                continue
            form = page.locator("form[action$='/reconfirmations/']")
            form.get_by_label(_named("Traveller")).select_option(label=label)
            form.get_by_label(_named("Still wishes to return")).check()
            form.get_by_label(_named("How")).select_option(label="In person")
            form.get_by_role("button", name="Record the re-confirmation").click()
            page.wait_for_url(travel_url)
            assert "The re-confirmation is recorded." in _messages(page)
            answer = str(_traveller_row(page, label).locator("td").nth(2).inner_text())
            assert answer == f"{_server_today()} · wishes to return"
        form = page.locator("form[action$='/receptions/']")
        for label in labels:
            form.get_by_label(_named(label)).check()
        form.get_by_label(_named("Received by")).select_option(
            label="Office in the country of origin"
        )
        form.get_by_label(_named("Name of the receiver")).fill("Wayhome Lagos, arrivals desk")
        form.get_by_label(_named("Meeting place")).fill("Murtala Muhammed Airport, arrivals hall")
        form.get_by_role("button", name="Record the reception").click()
        page.wait_for_url(travel_url)
        assert "The reception arrangement is recorded." in _messages(page)
        assert EVERYTHING_READY in _checklist(page)

        # A hand-over without the person's consent is refused.
        page.get_by_role("link", name="Prepare a hand-over").click()
        page.wait_for_url(re.compile(r"/handovers/new/$"))

        def fill_handover() -> None:
            form = page.locator("main form")
            form.get_by_label(_named("The office in the country of origin")).check()
            form.get_by_label(_named("Receiving office")).select_option(label=LAGOS)
            assert form.get_by_label(_named("Purpose")).input_value() == "reintegration_assistance"
            form.get_by_label(_named(labels[0])).check()
            form.get_by_label(_named("Reintegration counselling notes")).fill(
                f"Wishes to reopen a tailoring shop in Ikeja. {notes}"
            )
            _submit(page, form.get_by_role("button", name="Send the hand-over"))

        fill_handover()
        assert (
            "No active consent to share data with this recipient for this purpose: "
            "Principal applicant (1)."
        ) in page.inner_text("main form")

        # The consent, recorded on the person's data-sharing consents page.
        page.goto(case_url)
        page.locator("#consent-panel").get_by_role("link", name=labels[0], exact=True).click()
        page.wait_for_url(re.compile(rf"/consent/cases/{UUID}/members/{UUID}/declaration/$"))
        page.get_by_role("link", name="Data-sharing consents of this person").click()
        page.wait_for_url(re.compile(rf"/consent/people/{person_id}/consents/$"))
        form = page.locator("main form.card")
        form.get_by_label(_named("Purpose")).select_option(label="Reintegration assistance")
        form.get_by_label(_named("Recipient")).select_option(
            label="The office in the country of origin"
        )
        form.get_by_label(_named("Receiving office (for the origin office)")).select_option(
            label=LAGOS
        )
        _submit(page, form.get_by_role("button", name="Record the consent"))
        assert "The consent is recorded." in _messages(page)
        consents = page.locator("#consents tbody tr")
        assert consents.count() == 1
        consent = str(consents.first.inner_text())
        assert "Reintegration assistance" in consent
        assert "The office in the country of origin: Lagos" in consent
        assert "Active" in consent

        # The hand-over, now sent.
        page.goto(travel_url)
        page.get_by_role("link", name="Prepare a hand-over").click()
        page.wait_for_url(re.compile(r"/handovers/new/$"))
        fill_handover()
        page.wait_for_url(HANDOVER_PAGE)
        handover_url = page.url
        assert "The hand-over package is sent." in _messages(page)
        assert page.inner_text("h1") == f"Hand-over package: {reference}"
        package = str(page.inner_text("main"))
        assert f"{given_name} {family_name}" in package
        assert notes in package

        # 5. The operations officer: ready to depart (now allowed), then the departure.
        page = operations.page
        page.goto(case_url)
        _move(page, "ready_to_depart")
        assert page.url == case_url
        assert _badge(page) == "Ready to depart"
        assert "The case is now “Ready to depart”." in _messages(page)
        page.goto(travel_url)
        _submit(page, page.get_by_role("button", name="Confirm the departure"))
        assert page.url == travel_url
        assert "The departure is confirmed." in _messages(page)
        assert _badge(page) == "Departed"
        assert "Flown" in _section(page, "booking-heading").inner_text()
        assert operations.violations == []
        assert medical.violations == []
        assert caseworker.violations == []

        # 6. Lagos's reintegration officer: the hand-over, the package, the arrival.
        lagos = _sign_in(chromium, server, REINTEGRATION, contexts)
        page = lagos.page
        page.locator(".main-nav").get_by_role("link", name="Hand-overs").click()
        page.wait_for_url(re.compile(r"/travel/handovers/$"))
        received = _section(page, "received-heading")
        assert "Berlin" in received.locator("tbody tr", has_text=reference).inner_text()
        received.get_by_role("link", name=reference).click()
        page.wait_for_url(handover_url)
        assert page.inner_text("h1") == f"Hand-over package: {reference}"
        assert _badge(page) == "Departed"
        travellers_shared = str(_section(page, "package-travellers-heading").inner_text())
        assert f"{given_name} {family_name}" in travellers_shared
        assert f"ETD{booking_reference}1" in travellers_shared
        assert notes in _section(page, "package-notes-heading").inner_text()
        journey = str(_section(page, "package-journey-heading").inner_text())
        assert "LH568 FRA" in journey
        assert "Wayhome Lagos, arrivals desk" in journey
        _submit(page, page.get_by_role("button", name="Take the case over"))
        assert "Your office has taken the case over." in _messages(page)
        form = page.locator("form[action$='/arrival/']")
        assert form.get_by_label(_named("Arrived on")).input_value() == _server_today()
        assert form.get_by_label(_named("Confirmed by")).input_value() == "origin_office"
        form.get_by_label(_named("Reception details")).fill(
            "Met at the arrivals hall by the Lagos team; taken to the family in Ikeja."
        )
        _submit(page, form.get_by_role("button", name="Confirm the arrival"))
        assert page.url == handover_url
        assert "The arrival is confirmed." in _messages(page)
        assert _badge(page) == "Arrived"

        # 7. The host office's pages stay out of the origin office's reach: 404 each, and
        # nothing of the case on them.
        restricted = [
            case_url,
            travel_url,
            f"{travel_url}bookings/{booking_id}/",
            member_url,
            assessment_url,
            server.url + f"/consent/cases/{case_id}/",
            server.url + f"/consent/cases/{case_id}/members/{principal_member}/declaration/",
            server.url + f"/consent/people/{person_id}/consents/",
            server.url + f"/people/{person_id}/",
        ]
        for url in restricted:
            response = page.goto(url)
            assert response is not None
            assert response.status == 404, url
            body = str(page.inner_text("body"))
            assert "Page not found" in body, url
            for secret in (reference, family_name, findings, notes):
                assert secret not in body, (url, secret)
        page.goto(handover_url)
        package = str(page.inner_text("main"))
        assert f"{given_name} {family_name}" in package
        assert findings not in package
        assert "Findings" not in package
        assert "Stable after treatment" not in package
        assert "Migrant category" not in package  # not part of the minimum
        assert lagos.violations == []
    finally:
        for context in contexts:
            context.close()
