"""The issue's done-when, in chromium and through the pages only: a migrant submits a complaint in
Arabic on the public portal (no sign-in, right-to-left), Berlin's caseworker triages and answers
it, and the migrant reads the answer with the code and secret; a wrong secret shows nothing.
No page breaks the Content Security Policy, and the public pages load no script."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.demo_server import DemoServer
from tests.browser.test_travel import Browser, _marker, _named, _sign_in, _submit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CASEWORKER = "caseworker@demo.wayhome.org"
REFERENCE = re.compile(r"^FB-[0-9A-Z]{4}-[0-9A-Z]{4}$")


def _migrant(chromium: Any, contexts: list[Any]) -> Browser:
    """An anonymous visitor whose browser asks for Arabic."""
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="ar")
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
    return browser


def test_a_complaint_in_arabic_is_triaged_answered_and_read_with_the_code(
    server: DemoServer, chromium: Any
) -> None:
    contexts: list[Any] = []
    try:
        migrant = _migrant(chromium, contexts)
        page = migrant.page
        page.goto(server.url + "/portal/feedback/")
        assert page.get_attribute("html", "dir") == "rtl"
        assert page.get_attribute("html", "lang") == "ar"
        assert page.locator("script").count() == 0

        complaint = "لم أتلق المساعدة التي وُعدت بها " + _marker("S")
        form = page.locator("main form")
        form.locator("select[name=office]").select_option("de-ber")
        form.locator("input[name=kind][value=complaint]").check()
        form.locator("textarea[name=message]").fill(complaint)
        assert form.locator("input[name=anonymous]").is_checked()
        _submit(page, form.locator("button[type=submit]"))
        codes = page.locator(".codes strong.code")
        assert codes.count() == 2, page.inner_text("main")
        reference, secret = (str(codes.nth(i).inner_text()).strip() for i in range(2))
        assert REFERENCE.match(reference), reference
        assert len(secret) >= 10
        assert reference not in page.url
        assert secret not in page.url

        # Before the answer: the status without an answer, nothing of the complaint itself.
        page.goto(server.url + "/portal/feedback/status/")
        page.fill("input[name=reference]", reference)
        page.fill("input[name=secret]", secret)
        _submit(page, page.locator("main form button[type=submit]"))
        assert complaint not in page.content()
        assert page.locator("#report-heading").count() == 1

        # Berlin's caseworker finds it in the office's queue, triages and answers it.
        staff = _sign_in(chromium, server, CASEWORKER, contexts)
        desk = staff.page
        desk.goto(server.url + "/feedback/")
        desk.get_by_role("link", name=reference).click()
        desk.wait_for_url(re.compile(r"/feedback/[0-9a-f-]{36}/$"))
        assert complaint in desk.inner_text("main")
        triage = desk.locator("form[action$='/triage/']")
        triage.get_by_label(_named("Category")).select_option("assistance")
        triage.get_by_label(_named("Priority")).select_option("high")
        _submit(desk, triage.locator("button[type=submit]"))
        answer = "We are sorry. Your reintegration officer will call you this week. " + _marker("A")
        respond = desk.locator("form[action$='/respond/']")
        respond.locator("textarea[name=response]").fill(answer)
        _submit(desk, respond.locator("button[type=submit]"))
        assert answer in desk.inner_text("main")

        # The migrant reads the answer with the code and the secret, in Arabic.
        page.goto(server.url + "/portal/feedback/status/")
        page.fill("input[name=reference]", reference)
        page.fill("input[name=secret]", secret)
        _submit(page, page.locator("main form button[type=submit]"))
        assert page.get_attribute("html", "dir") == "rtl"
        assert answer in page.inner_text("main")
        assert complaint not in page.content()

        # A wrong secret shows no report at all.
        page.goto(server.url + "/portal/feedback/status/")
        page.fill("input[name=reference]", reference)
        page.fill("input[name=secret]", secret[:-1] + ("A" if secret[-1] != "A" else "B"))
        _submit(page, page.locator("main form button[type=submit]"))
        assert answer not in page.content()
        assert page.locator("#report-heading").count() == 0
        assert page.locator("[role=alert]").count() == 1

        assert migrant.violations == []
        assert staff.violations == []
    finally:
        for context in contexts:
            context.close()
