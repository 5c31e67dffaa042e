"""The issue's done-when, in chromium and through the pages only: a case that arrived in Lagos
gets its reintegration plan, the plan is approved, cash is delivered, a partner accepts and
completes a referral, and the case is closed.

Lagos's reintegration officer (an origin office that took the demo case over) starts the plan,
adds a cash item and submits it; Berlin's or Athens's programme manager (the host office)
approves it; the officer moves the case to assistance, records a cash delivery and sees a second
one beyond what was approved refused; the officer finds a referral without consent refused,
records the person's consent for the Lagos Skills Centre and refers them, sharing the given name
only; the partner's user (who holds no office permission) accepts, reports progress and
completion, and finds no staff page; the officer closes the case with the Handbook's reason.
No page breaks the Content Security Policy.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.demo_server import DemoServer
from tests.browser.test_travel import UUID, Browser, _marker, _messages, _named, _section, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

REINTEGRATION = "reintegration@demo.wayhome.org"
MANAGER = "manager@demo.wayhome.org"
PARTNER = "partner@demo.wayhome.org"
PARTNER_NAME = "Lagos Skills Centre"
CASE_PAGE = re.compile(rf"/reintegration/cases/({UUID})/$")
PLAN_PAGE = re.compile(rf"/reintegration/cases/{UUID}/plans/({UUID})/$")
LINE_PAGE = re.compile(rf"/reintegration/cases/{UUID}/lines/({UUID})/$")
REFERRAL_PAGE = re.compile(rf"/reintegration/cases/{UUID}/referrals/({UUID})/$")
PARTNER_REFERRAL = re.compile(rf"/partner/referrals/({UUID})/$")


def _click(page: Any, locator: Any, url: Any) -> None:
    locator.click()
    page.wait_for_url(url)


def _arrived_case_to_lagos(page: Any, server: DemoServer) -> str:
    """The reintegration page of an arrived case returning to Nigeria from the work queue."""
    page.goto(server.url + "/reintegration/")
    links = _section(page, "q-due-heading").locator("tbody tr", has_text="Arrived").locator("a")
    hrefs = [str(links.nth(i).get_attribute("href")) for i in range(links.count())]
    for href in hrefs:
        page.goto(server.url + href)
        if "return to NG" in page.inner_text("main p"):
            return page.url
    raise AssertionError("no arrived demo case returning to Nigeria in the work queue")


def _referral_form(page: Any) -> Any:
    """The referral form, filled in: the principal applicant to the Lagos Skills Centre for
    vocational training, sharing the given name only."""
    form = page.locator(
        "form:not([action])", has=page.get_by_role("button", name="Send the referral")
    )
    form.get_by_label(_named("Partner")).select_option(label=PARTNER_NAME)
    form.get_by_label(_named("Principal applicant (1)")).check()
    form.get_by_label(_named("Type of assistance")).select_option(
        label="Vocational training or apprenticeship"
    )
    form.get_by_label(_named("Given name(s)")).check()
    form.get_by_label(_named("Note for the partner")).fill("Tailoring course in January")
    return form


def test_plan_approval_cash_referral_to_a_partner_and_closure(
    server: DemoServer, chromium: Any
) -> None:
    description = _marker("Sewing machines ")
    contexts: list[Any] = []
    browsers: list[Browser] = []
    try:
        # 1. Lagos's reintegration officer starts the household plan of an arrived case.
        officer = _sign_in(chromium, server, REINTEGRATION, contexts)
        browsers.append(officer)
        page = officer.page
        case_url = _arrived_case_to_lagos(page, server)
        assert "Arrived" in page.inner_text("main p")
        form = page.locator("form[action$='/plans/new/']")
        form.get_by_label(_named("A plan for")).select_option(index=0)
        _click(page, form.get_by_role("button", name="Start the plan"), PLAN_PAGE)
        plan_url = page.url
        form = page.locator("form[action$='/lines/']")
        form.get_by_label(_named("Type of assistance")).select_option(
            label="Business set-up or development"
        )
        form.get_by_label(_named("Description")).fill(description)
        form.get_by_label(_named("Amount")).fill("800")
        form.get_by_label(_named("Currency (ISO 4217)")).fill("EUR")
        form.get_by_label(_named("Delivery mode")).select_option(label="Cash")
        _click(page, form.get_by_role("button", name="Add the item"), plan_url)
        assert description in page.inner_text("main")
        _click(page, page.get_by_role("button", name="Submit the plan for approval"), plan_url)
        assert "Submitted for approval" in page.inner_text("main")
        # The officer is no programme manager: no approval form for them.
        assert page.get_by_role("button", name="Approve the plan").count() == 0

        # 2. The host office's programme manager approves it from the work queue.
        manager = _sign_in(chromium, server, MANAGER, contexts)
        browsers.append(manager)
        page = manager.page
        page.goto(plan_url)
        assert "Submitted for approval" in page.inner_text("main")
        _click(page, page.get_by_role("button", name="Approve the plan"), plan_url)
        assert "Approved" in page.inner_text("main")
        assert "800.00" in page.inner_text("main")

        # 3. The officer moves the case on and delivers cash, never beyond the approval.
        page = officer.page
        page.goto(case_url)
        _click(page, page.get_by_role("button", name="Move to Reintegration planning"), case_url)
        _click(page, page.get_by_role("button", name="Move to Reintegration assistance"), case_url)
        assert "Reintegration assistance" in page.inner_text("main p")
        page.goto(plan_url)
        _click(page, page.get_by_role("link", name=description), LINE_PAGE)
        line_url = page.url
        form = page.locator("form[action$='/deliveries/']")
        form.get_by_label(_named("Amount")).fill("300")
        form.get_by_label(_named("Method")).select_option(label="Cash in hand")
        form.get_by_label(_named("Delivered by")).fill("Reintegration officer, Lagos")
        _click(page, form.get_by_role("button", name="Record the delivery"), line_url)
        assert "300.00" in page.inner_text("main")
        form = page.locator("form[action$='/deliveries/']")
        form.get_by_label(_named("Amount")).fill("600")
        form.get_by_label(_named("Method")).select_option(label="Cash in hand")
        form.get_by_label(_named("Delivered by")).fill("Reintegration officer, Lagos")
        form.get_by_role("button", name="Record the delivery").click()
        page.wait_for_load_state()
        assert "beyond what was approved for this item: 500.00 EUR remain" in page.inner_text(
            "main"
        )

        # 4. A referral: refused without consent, sent once the consent is recorded.
        page.goto(case_url)
        _click(page, page.get_by_role("link", name="Refer to a partner"), re.compile(r"/new/$"))
        refer_url = page.url
        form = _referral_form(page)
        form.get_by_role("button", name="Send the referral").click()
        page.wait_for_load_state()
        assert "No consent to share data with Lagos Skills Centre" in page.inner_text("main")
        form = page.locator("form[action$='/referrals/consent/']")
        form.get_by_label(_named("Who consents")).select_option(label="Principal applicant (1)")
        form.get_by_label(_named("To share with")).select_option(label=PARTNER_NAME)
        _click(page, form.get_by_role("button", name="Record the consent"), refer_url)
        assert "The consent is recorded." in _messages(page)
        form = _referral_form(page)
        _click(page, form.get_by_role("button", name="Send the referral"), REFERRAL_PAGE)
        referral_url = page.url
        assert "Sent" in page.inner_text("main")

        # 5. The partner's user answers and reports, and sees nothing else.
        partner = _sign_in(chromium, server, PARTNER, contexts)
        browsers.append(partner)
        page = partner.page
        assert "Referrals to your organisation" in page.inner_text("main")
        page.goto(server.url + "/partner/")
        row = page.locator("tbody tr", has_text="Sent").first
        _click(page, row.get_by_role("link"), PARTNER_REFERRAL)
        partner_url = page.url
        text = page.inner_text("main")
        assert "Tailoring course in January" in text
        assert "Given name(s)" in text
        assert "Family name(s)" not in text
        _click(page, page.get_by_role("button", name="Accept"), partner_url)
        form = page.locator("form", has=page.get_by_role("button", name="Report progress"))
        form.get_by_label(_named("Progress")).fill("Enrolled in the January course")
        _click(page, form.get_by_role("button", name="Report progress"), partner_url)
        _click(page, page.get_by_role("button", name="Report completion"), partner_url)
        assert "Completed" in page.inner_text("main")
        for staff_page in ("/cases/", case_url, plan_url, "/safety/", "/reintegration/"):
            url = staff_page if staff_page.startswith("http") else server.url + staff_page
            response = page.goto(url)
            assert response is not None
            assert response.status == 404, staff_page

        # 6. The office sees the answers, and closes the case with the Handbook's reason.
        page = officer.page
        page.goto(referral_url)
        updates = str(_section(page, "updates-heading").inner_text())
        assert "Enrolled in the January course" in updates
        assert "Completed" in page.inner_text("main")
        page.goto(case_url)
        form = page.locator("form[action$='/close/']")
        form.get_by_label(_named("Reason for closing")).select_option(label="Assistance completed")
        _click(page, form.get_by_role("button", name="Close the case"), case_url)
        assert "Closed" in page.inner_text("main p")
        assert "Assistance completed" in str(_section(page, "closure-heading").inner_text())

        for browser in browsers:
            assert browser.violations == []
    finally:
        for context in contexts:
            context.close()
