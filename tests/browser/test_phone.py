"""The shell on a 360px-wide phone: nothing scrolls sideways; the nav is reachable by keyboard."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.demo_server import DemoServer, sign_in_and_enrol

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_phone_home_has_no_sideways_scroll_and_a_keyboard_reachable_nav(
    server: DemoServer, chromium: Any, language: str
) -> None:
    context = chromium.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(server.url + "/accounts/login/")
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        email = "manager@demo.wayhome.org" if language == "en" else "dpo@demo.wayhome.org"
        sign_in_and_enrol(page, server, email)
        if language != "en":
            page.select_option("#language-select", language)
            page.click(".language-switcher button")
            page.wait_for_selector(f"html[lang={language}]")
        assert page.evaluate(NO_SIDEWAYS_SCROLL)

        # Tab from the top: the skip link first (and visible when focused), then the navigation.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.classList.contains('skip-link')")
        box = page.locator(".skip-link").bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 360
        reached: list[str] = []
        for _ in range(10):
            page.keyboard.press("Tab")
            if page.evaluate("!!document.activeElement.closest('.main-nav')"):
                reached.append(page.evaluate("document.activeElement.getAttribute('href')"))
        assert "/people/" in reached
        # Keyboard activation works too.
        page.focus(".main-nav a[href='/people/']")
        page.keyboard.press("Enter")
        page.wait_for_url("**/people/")
    finally:
        context.close()
