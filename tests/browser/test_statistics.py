"""Statistics in chromium, against the demo (``make run``'s data, with its historical returns):
the programme manager reads the dashboard — every chart followed by its table, withheld cells
marked — builds a table, downloads it as XLSX and finds the page's figures in the file; the same
pages work for the monitoring and evaluation officer in Arabic, right to left, on a phone, with
the keyboard, and break no Content Security Policy."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest

from tests.browser.demo_server import DemoServer
from tests.browser.test_travel import _sign_in, _submit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

MANAGER = "manager@demo.wayhome.org"
ANALYST = "me-officer@demo.wayhome.org"  # monitoring and evaluation, every office


def _cells(page: Any, anchor: str) -> list[list[str]]:
    """The figures of a table on the page, row by row (the header row left out)."""
    rows = page.locator(f"#{anchor} table tbody tr")
    return [
        [str(text).strip() for text in rows.nth(i).locator("td").all_inner_texts()]
        for i in range(rows.count())
    ]


def test_the_manager_reads_builds_and_downloads_figures(server: DemoServer, chromium: Any) -> None:
    contexts: list[Any] = []
    try:
        manager = _sign_in(chromium, server, MANAGER, contexts)
        page = manager.page
        page.goto(server.url + "/")
        page.get_by_role("link", name="Statistics").first.click()
        page.wait_for_url(re.compile(r"/reporting/$"))
        assert page.locator("h1").inner_text().startswith("Statistics")

        # Every chart is followed by its table; the returns by country count the demo's history.
        charts = page.locator("section.stat-table figure.chart svg[role=img]")
        assert charts.count() >= 5
        for i in range(charts.count()):
            section = charts.nth(i).locator("xpath=ancestor::section[1]")
            assert section.locator("table").count() == 1
        countries = _cells(page, "t-origin_country")
        total = countries[-1][0]
        assert total.isdigit(), countries
        assert int(total) >= 300

        # A table by country of origin and sex, then the same as XLSX.
        page.get_by_role("link", name="Build a table").click()
        page.select_option("select[name=rows]", "origin_country")
        page.select_option("select[name=cols]", "sex")
        _submit(page, page.locator("form.filters button[type=submit]"))
        shown = _cells(page, "t-built")
        assert shown
        with page.expect_download() as download_info:
            page.get_by_role("link", name="XLSX").click()
        data = download_info.value.path().read_bytes()
        sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert str(rows[1][0]).startswith("#")  # the HXL hashtag row
        width = len(shown[0])
        in_file = [["x" if cell == "x" else str(cell) for cell in row[-width:]] for row in rows[2:]]
        assert in_file[: len(shown)] == shown
        assert not manager.violations, manager.violations
    finally:
        for context in contexts:
            context.close()


def test_statistics_in_arabic_on_a_phone(server: DemoServer, chromium: Any) -> None:
    contexts: list[Any] = []
    try:
        manager = _sign_in(chromium, server, ANALYST, contexts)
        page = manager.page
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(server.url + "/")
        page.select_option("#language-select", "ar")
        page.click(".language-switcher button")
        page.wait_for_selector("html[lang=ar]")
        page.goto(server.url + "/reporting/")
        assert page.get_attribute("html", "dir") == "rtl"
        # Nothing wider than the phone: tables scroll inside their own box.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 1, width
        # Keyboard: the filters' button is reachable with Tab.
        in_filters = (
            "document.activeElement.type === 'submit' && "
            "document.activeElement.closest('form.filters') !== null"
        )
        for _ in range(120):
            page.keyboard.press("Tab")
            if page.evaluate(in_filters):
                break
        assert page.evaluate(in_filters)
        assert not manager.violations, manager.violations
    finally:
        for context in contexts:
            context.close()
