"""The done-when journey, as a newcomer lives it after ``make run``: a demo user signs in, enrols
two-step sign-in with the key shown on the page, lands on the home page and switches to Arabic."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.demo_server import DemoServer, sign_in_and_enrol

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _csp_violations(page: Any) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def test_demo_user_signs_in_enrols_mfa_and_switches_to_arabic(
    server: DemoServer, chromium: Any
) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    violations = _csp_violations(page)
    try:
        page.goto(server.url + "/")
        assert page.title().startswith("Sign in")
        email = "caseworker@demo.wayhome.org"
        page.fill("#id_username", email)
        page.fill("#id_password", server.passwords[email])
        page.click("main button[type=submit]")
        page.wait_for_url("**/accounts/mfa/enrol/")
        # The QR code loads, and the key is there as text for those who cannot scan.
        assert page.evaluate("document.querySelector('img.qr').naturalWidth") > 0
        page.goto(server.url + "/")  # the MFA gate sends every page back to enrolment
        page.wait_for_url("**/accounts/mfa/enrol/")
        page.context.clear_cookies()
        sign_in_and_enrol(page, server, email)

        assert page.inner_text("h1").startswith("Welcome")
        assert page.locator("html").get_attribute("dir") == "ltr"
        page.select_option("#language-select", "ar")
        page.click(".language-switcher button")
        page.wait_for_selector("html[dir=rtl]")
        assert page.locator("html").get_attribute("lang") == "ar"
        assert "قائمة المهام" in page.inner_text(".main-nav")
        assert violations == []
    finally:
        context.close()


def test_wrong_password_shows_one_message(server: DemoServer, chromium: Any) -> None:
    context = chromium.new_context()
    page = context.new_page()
    try:
        page.goto(server.url + "/accounts/login/")
        page.fill("#id_username", "medical@demo.wayhome.org")
        page.fill("#id_password", "not the password")
        page.click("main button[type=submit]")
        assert "The e-mail address or the password is not right." in page.inner_text("main")
    finally:
        context.close()
