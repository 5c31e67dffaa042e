"""The issue's done-when, in chromium and through the pages only: a caseworker registers a family
of two adults and a child, opens their case, records counselling and the declarations, decides
eligibility and submits; a programme manager approves.

On the way: submitting before the declarations is refused with what is missing listed on the
page, and no page breaks the Content Security Policy.
"""

from __future__ import annotations

import datetime
import re
import secrets
import string
from pathlib import Path
from typing import Any

import pytest

from tests.browser.demo_server import DemoServer, sign_in_and_enrol

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CASEWORKER = "caseworker@demo.wayhome.org"
MANAGER = "manager@demo.wayhome.org"
BERLIN = "Berlin (de-ber)"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
PERSON_PAGE = re.compile(rf"/people/({UUID})/$")
CASE_PAGE = re.compile(rf"/cases/({UUID})/$")
# The smallest file the signed-form check takes for a PDF (it looks at the first bytes).
SIGNED_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _csp_violations(page: Any) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def _suffix() -> str:
    """Letters only, so that the names look like names and no seeded person shares them."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(6)).capitalize()


def _submit(page: Any, button: Any) -> None:
    """Clicks a submit button and waits for the page it leads to (often the same URL)."""
    with page.expect_navigation():
        button.click()


def _register(
    page: Any,
    server: DemoServer,
    *,
    given: str,
    family: str,
    born: datetime.date,
    sex: str,
    written: str = "",
) -> str:
    """Registers a person in Berlin through both steps; returns their id (from the URL)."""
    page.goto(server.url + "/people/new/")
    form = page.locator("main form:has(input[name=step])")
    form.locator("#id_office").select_option(label=BERLIN)
    form.locator("#id_given_name").fill(given)
    form.locator("#id_family_name").fill(family)
    if written:
        form.locator("#id_name_as_written").fill(written)
    form.locator("#id_date_of_birth").fill(born.isoformat())
    form.locator("#id_dob_precision").select_option("exact")
    form.locator("#id_sex").select_option(sex)
    form.locator("#id_nationality").select_option("NG")
    _submit(page, form.get_by_role("button", name="Look for existing records"))

    # Step two: the duplicate search's answer, and the full form with the details carried over.
    assert page.locator("#candidates-heading").inner_text() == "Possible existing records"
    form = page.locator("main form:has(input[name=step])")
    assert form.locator("#id_given_name").input_value() == given
    assert form.locator("#id_date_of_birth").input_value() == born.isoformat()
    form.get_by_role("button", name="Register a new person").click()
    page.wait_for_url(PERSON_PAGE)
    assert "The person is registered." in page.inner_text(".messages")
    main = page.inner_text("main")
    assert given in main
    if written:
        assert written in main
    match = PERSON_PAGE.search(page.url)
    assert match is not None
    return match.group(1)


def _status(page: Any) -> str:
    return str(page.inner_text("h1 .badge")).strip()


def _move(page: Any, target: str) -> None:
    """Moves the case with the case page's transition form (refused or not)."""
    form = page.locator("form[action$='/transition/']")
    form.locator("select[name=target]").select_option(target)
    _submit(page, form.get_by_role("button", name="Move the case"))


def _open_member(page: Any, label: str) -> None:
    """From a page with the consent panel, opens a member's consent page by their label."""
    page.locator("#consent-panel").get_by_role("link", name=label, exact=True).click()
    page.wait_for_url(re.compile(rf"/consent/cases/{UUID}/members/{UUID}/declaration/$"))
    assert page.inner_text("h1").startswith(label)


def _declare(page: Any, signed_form: Path) -> None:
    """Records an adult's declaration: both conditions attested, the signed form uploaded."""
    form = page.locator("form[action$='/declaration/']")
    form.locator("input[name=freedom_of_choice]").check()
    form.locator("input[name=informed_decision]").check()
    form.locator("input[name=signed_form]").set_input_files(str(signed_form))
    _submit(page, form.get_by_role("button", name="Record the declaration"))
    assert "The declaration is recorded." in page.inner_text(".messages")
    missing = page.locator("section", has=page.locator("#missing-heading"))
    assert missing.locator(".badge").inner_text() == "Covered"
    declaration = page.locator("section", has=page.locator("#declaration-heading"))
    assert declaration.get_by_role("link", name="Download").is_visible()


def _back_to_consent_record(page: Any) -> None:
    page.get_by_role("link", name="Back to the consent record").click()
    page.wait_for_url(re.compile(rf"/consent/cases/{UUID}/$"))


def _timeline(page: Any) -> list[tuple[str, str]]:
    """(from, to) of every move on the case page's timeline, oldest first."""
    rows = page.locator("section", has=page.locator("#timeline-heading")).locator("tbody tr")
    return [
        (
            str(rows.nth(i).locator("td").nth(2).inner_text()).strip(),
            str(rows.nth(i).locator("td").nth(3).inner_text()).strip(),
        )
        for i in range(rows.count())
    ]


def test_family_is_registered_counselled_submitted_and_approved(
    server: DemoServer, chromium: Any, tmp_path: Path
) -> None:
    signed_form = tmp_path / "signed-declaration.pdf"
    signed_form.write_bytes(SIGNED_PDF)
    family = f"Okafor{_suffix()}"
    today = datetime.datetime.now(tz=datetime.UTC).date()
    child_born = datetime.date(today.year - 8, today.month, min(today.day, 28))

    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    violations = _csp_violations(page)
    try:
        sign_in_and_enrol(page, server, CASEWORKER)

        # 1. Three people, each through the duplicate search.
        mother = _register(
            page,
            server,
            given=f"Amina{_suffix()}",
            family=family,
            born=datetime.date(1984, 3, 17),
            sex="female",
            written="أمينة أوكافور",
        )
        father = _register(
            page,
            server,
            given=f"Chinedu{_suffix()}",
            family=family,
            born=datetime.date(1981, 11, 2),
            sex="male",
        )
        child = _register(
            page, server, given=f"Ada{_suffix()}", family=family, born=child_born, sex="female"
        )

        # 2. The case, opened with the wizard for the Berlin office.
        page.goto(server.url + "/cases/new/")
        page.locator("#id_office").select_option(label=BERLIN)
        _submit(page, page.locator("button[name=action][value=search]"))  # the office's people
        page.locator("#id_principal").select_option(mother)
        page.locator("#id_member_0").select_option(father)
        page.locator("#id_relationship_0").select_option("spouse")
        page.locator("#id_member_1").select_option(child)
        page.locator("#id_relationship_1").select_option("child")
        page.locator("#id_programme").select_option("AVRR")
        page.locator("#id_category").select_option("stranded")
        page.locator("#id_destination_country").select_option("NG")
        # HTMX swaps in Nigeria's regions: wait for them before the form is sent.
        page.wait_for_selector("#id_destination_region option[value^='NG-']", state="attached")
        page.get_by_role("button", name="Open the case").click()
        page.wait_for_url(CASE_PAGE)
        match = CASE_PAGE.search(page.url)
        assert match is not None
        case_url = server.url + f"/cases/{match.group(1)}/"
        assert "is open." in page.inner_text(".messages")
        assert _status(page) == "Registered"
        members = page.locator("section", has=page.locator("#members-heading")).inner_text()
        for relationship in ("Principal applicant", "Spouse or partner", "Child"):
            assert relationship in members
        assert members.count(family) == 3

        # 3. Counselling.
        _move(page, "counselling")
        assert page.url == case_url
        assert _status(page) == "Counselling"

        # Submitting now is refused, and the page says what is missing.
        _move(page, "application_submitted")
        assert _status(page) == "Counselling"
        refused = page.locator("#missing .form-errors[role=alert]")
        assert "The case could not move. What is missing:" in refused.inner_text()
        reasons = refused.inner_text()
        assert "Has not attended an information session." in reasons
        assert "No voluntariness declaration is recorded." in reasons
        assert "A child: a guardian or legal representative must agree to the return." in reasons

        # 4. Counselling: one information session for all three.
        page.goto(case_url)
        page.locator("#consent-panel").get_by_role(
            "link", name="Record an information session"
        ).click()
        page.wait_for_url(re.compile(rf"/consent/cases/{UUID}/sessions/new/$"))
        form = page.locator("main form")
        form.locator("#id_language").fill("ar")
        form.locator("#id_interpreter").check()
        form.locator("#id_interpreter_name").fill(f"Interpreter {_suffix()}")
        for topic in form.locator("input[name=topics]").all():
            topic.check()
        attendees = form.locator("input[name=attendees]")
        assert attendees.count() == 3
        for attendee in attendees.all():
            attendee.check()
        form.get_by_role("button", name="Record the session").click()
        page.wait_for_url(re.compile(rf"/consent/cases/{UUID}/$"))
        assert "The information session is recorded." in page.inner_text(".messages")

        # A declaration for each adult, each with its signed form.
        _open_member(page, "Principal applicant (1)")
        _declare(page, signed_form)
        _back_to_consent_record(page)
        _open_member(page, "Spouse or partner (2)")
        _declare(page, signed_form)
        _back_to_consent_record(page)

        # The child: a guardian, and the guardian agrees.
        _open_member(page, "Child (3)")
        assert "A child: a guardian or legal representative decides." in page.inner_text("main")
        guardian = f"Chinedu {family}"
        form = page.locator("form[action$='/representatives/']")
        form.locator("input[name=name]").fill(guardian)
        form.locator("select[name=kind]").select_option("guardian")
        form.locator("input[name=relationship]").fill("Father")
        _submit(page, form.get_by_role("button", name="Add"))
        assert "The representative is added." in page.inner_text(".messages")
        form = page.locator("form[action$='/decisions/']")
        form.locator("select[name=representative]").select_option(label=f"{guardian} (Guardian)")
        form.locator("input[name=decision][value=agrees]").check()
        _submit(page, form.get_by_role("button", name="Record the decision"))
        assert "The representative's decision is recorded." in page.inner_text(".messages")
        missing = page.locator("section", has=page.locator("#missing-heading"))
        assert missing.locator(".badge").inner_text() == "Covered"
        _back_to_consent_record(page)
        panel = page.locator("#consent-panel")
        assert "Every traveller is covered: the application can be submitted." in (
            panel.inner_text()
        )

        # 5. Eligibility, decided on the case's eligibility page.
        page.goto(case_url)
        page.get_by_role("link", name="Eligibility decision").click()
        page.wait_for_url(re.compile(rf"/eligibility/cases/{UUID}/$"))
        assert "Eligibility has not been decided yet." in page.inner_text("main")
        _submit(page, page.get_by_role("button", name="Decide now"))
        assert "Decided: eligible." in page.inner_text(".messages")
        decision = page.locator("section", has=page.locator("#decision-heading"))
        assert decision.locator("p strong").first.inner_text() == "Eligible"

        # 6. The application is submitted.
        page.goto(case_url)
        _move(page, "application_submitted")
        assert page.url == case_url
        assert _status(page) == "Application submitted"
        assert "The case is now “Application submitted”." in page.inner_text(".messages")

        page.locator("form.sign-out").get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/accounts/login/**")
        assert violations == []
    finally:
        context.close()

    # 7. A programme manager approves, in a browser of their own.
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    violations = _csp_violations(page)
    try:
        sign_in_and_enrol(page, server, MANAGER)
        page.goto(case_url)
        assert _status(page) == "Application submitted"
        _move(page, "approved")
        assert page.url == case_url
        assert _status(page) == "Approved"
        assert "The case is now “Approved”." in page.inner_text(".messages")
        assert _timeline(page) == [
            ("Registered", "Counselling"),
            ("Counselling", "Application submitted"),
            ("Application submitted", "Approved"),
        ]
        assert violations == []
    finally:
        context.close()
