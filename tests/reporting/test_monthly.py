"""The monthly report: its PDF (figures of the month, disclosure control), its production and
mailing by the task queue, the command that enqueues it, and the pages that list and download
the reports."""

from __future__ import annotations

import datetime
import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks import TaskResultStatus

from tests.conftest import Personas, client_for
from tests.factories import OfficeFactory, UserFactory
from tests.reporting.factories import MonthlyReportFactory, ReturnFactFactory
from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Role
from wayhome.audit.models import AuditEvent
from wayhome.reporting.models import MonthlyReport, StaleCase
from wayhome.reporting.monthly import (
    monthly_report_build,
    monthly_report_content,
    monthly_report_produce,
    parse_month,
    previous_month,
)
from wayhome.reporting.tables import COUNT, sensitive_threshold, threshold
from wayhome.reporting.tasks import send_monthly_reports

MARCH = datetime.date(2026, 3, 1)

_TJ = re.compile(rb"\(((?:[^()\\]|\\.)*)\) Tj")


def texts(pdf: bytes) -> list[str]:
    """The strings drawn in an uncompressed PDF, in the order drawn."""
    return [re.sub(rb"\\(.)", rb"\1", raw).decode("latin-1") for raw in _TJ.findall(pdf)]


def after(strings: list[str], label: str, count: int) -> list[str]:
    """The ``count`` strings drawn after the only ``label``."""
    assert strings.count(label) == 1, label
    start = strings.index(label) + 1
    return strings[start : start + count]


def month_facts(office: Office) -> None:
    """March 2026 in ``office``: 25 people (Nigeria 12, Senegal 10, Ghana 3) in 20 cases; 7 people
    in February; 2 cases still open, registered in March; then the stale marks the factories left
    cleared (so that no sync recomputes these facts from their made-up cases)."""
    day = datetime.date(2026, 3, 12)
    for index in range(12):
        ReturnFactFactory.create(
            office=office, origin_country="NG", departure_date=day, principal=index >= 5
        )
    for _index in range(10):
        ReturnFactFactory.create(
            office=office, origin_country="SN", departure_date=day, sex="male", programme="AVR"
        )
    for _index in range(3):
        ReturnFactFactory.create(office=office, origin_country="GH", departure_date=day)
    for _index in range(7):
        ReturnFactFactory.create(
            office=office, origin_country="NG", departure_date=datetime.date(2026, 2, 3)
        )
    for _index in range(2):
        ReturnFactFactory.create(
            office=office,
            status="counselling",
            departure_date=None,
            registered_on=datetime.date(2026, 3, 20),
        )
    StaleCase.objects.all().delete()


# --- the PDF --------------------------------------------------------------------------------------


def test_the_pdf_holds_the_months_figures(personas: Personas) -> None:
    month_facts(personas.office_a)
    ReturnFactFactory.create(office=personas.office_b, departure_date=datetime.date(2026, 3, 4))
    ReturnFactFactory.create(office=personas.office_a, departure_date=datetime.date(2026, 4, 1))
    StaleCase.objects.all().delete()

    pdf = monthly_report_build(personas.office_a, datetime.date(2026, 3, 17), compress=False)

    assert pdf.startswith(b"%PDF")
    strings = texts(pdf)
    assert "Monthly report of returns" in strings
    assert "Office: Office A" in strings
    assert "Month: March 2026" in strings
    assert any(s.startswith("Produced on: ") for s in strings)
    # Office B's return and April's are not counted.
    assert "People: 25" in strings
    assert "Cases: 20" in strings
    # Each breakdown's totals row: 25 people.
    for title in (
        "Returns by country of origin",
        "Returns by programme",
        "Returns by migrant category",
        "Returns by main vulnerability",
    ):
        assert title in strings
    assert after(strings, "Returns by sex and age group", 1) == ["Sex"]
    # Programmes: AVRR 15, AVR 10 (every programme listed, an empty one as 0).
    programmes = texts_between(strings, "Returns by programme", "Returns by migrant category")
    assert after(programmes, "Assisted voluntary return and reintegration (AVRR)", 1) == ["15"]
    assert after(programmes, "Assisted voluntary return (AVR)", 1) == ["10"]
    assert after(programmes, "Total", 1) == ["25"]
    # Year to date: January 0, February 7, March 25; the bars' labels then the table.
    ytd = strings[strings.index("Returns of the year to date, by month") :]
    assert after(ytd, "January", 1) == ["0"]
    assert after(ytd, "February", 1) == ["7"]
    assert after(ytd, "March", 1) == ["25"]
    assert after(ytd, "Total", 1) == ["32"]
    # The pipeline counts the cases registered by the end of March by their current status: 28
    # departed (February's 7, March's 20, April's 1), 2 in counselling (withheld, and so the
    # departed too, or the 2 would be 30 - 28), 30 in all. Office B's case is not counted.
    pipeline = texts_between(strings, "Pipeline: cases by current status", "Returns of the year")
    assert after(pipeline, "Counselling", 1) == ["x"]
    assert after(pipeline, "Departed", 1) == ["x"]
    assert after(pipeline, "Total", 1) == ["30"]
    assert after(pipeline, "Approved", 1) == ["0"]
    # The bars are drawn in Okabe-Ito blue (0, 114, 178).
    assert b"0 0.4471 0.698 rg" in pdf


def texts_between(strings: list[str], first: str, last: str) -> list[str]:
    start = strings.index(first)
    end = next(i for i, s in enumerate(strings) if i > start and s.startswith(last))
    return strings[start:end]


def test_a_small_cell_is_printed_x_with_the_rule(personas: Personas, settings: object) -> None:
    month_facts(personas.office_a)

    content = monthly_report_content(personas.office_a, MARCH)
    by_country = content.breakdowns[0]
    assert by_country.value("GH", COUNT) == 3  # the exact count is known...
    assert by_country.published("GH", COUNT) is None  # ...and withheld
    strings = texts(monthly_report_build(personas.office_a, MARCH, compress=False))
    countries = texts_between(strings, "Returns by country of origin", "Returns by sex")

    assert after(countries, "Ghana", 1) == ["x"]
    assert "3" not in countries
    # What is published is printed as is: every row of the table as the content has it.
    for key in [*by_country.rows]:
        value = by_country.published(key.code, COUNT)
        assert after(countries, key.label, 1) == ["x" if value is None else str(value)]
    # The footnote gives the rule with the thresholds in force.
    note = next(s for s in countries if s.startswith("x: withheld"))
    assert f"fewer than {threshold()} people" in note
    assert f"fewer than {sensitive_threshold()} for trafficking" in note


def test_the_thresholds_come_from_the_settings(personas: Personas, settings: object) -> None:
    settings.DISCLOSURE_K = 3  # type: ignore[attr-defined]
    month_facts(personas.office_a)

    strings = texts(monthly_report_build(personas.office_a, MARCH, compress=False))
    countries = texts_between(strings, "Returns by country of origin", "Returns by sex")

    assert after(countries, "Ghana", 1) == ["3"]
    assert after(countries, "Nigeria", 1) == ["12"]
    assert not any(s.startswith("x: withheld") for s in countries)  # nothing withheld, no note


def test_the_headline_is_withheld_when_small(personas: Personas) -> None:
    for _index in range(3):
        ReturnFactFactory.create(office=personas.office_a, departure_date=MARCH)
    StaleCase.objects.all().delete()

    content = monthly_report_content(personas.office_a, MARCH)
    strings = texts(monthly_report_build(personas.office_a, MARCH, compress=False))

    assert (content.people, content.cases) == (None, None)
    assert "People: x" in strings
    assert "Cases: x" in strings
    assert "3" not in strings


def test_a_month_without_returns_still_makes_a_report(personas: Personas) -> None:
    pdf = monthly_report_build(personas.office_a, MARCH, compress=False)

    strings = texts(pdf)
    assert pdf.startswith(b"%PDF")
    assert "People: 0" in strings
    ytd = strings[strings.index("Returns of the year to date, by month") :]
    assert after(ytd, "Total", 1) == ["0"]


def test_names_in_other_scripts_are_transliterated(personas: Personas) -> None:
    office = OfficeFactory.create(name="Αθήνα", country="GR")

    strings = texts(monthly_report_build(office, MARCH, compress=False))

    assert "Office: Athina" in strings


# --- producing and sending ----------------------------------------------------------------------


@pytest.fixture
def second_manager(personas: Personas) -> object:
    return UserFactory.create(email="pm2-a@example.org", roles=[(personas.office_a, Role.MANAGER)])


def test_producing_stores_audits_and_mails_the_managers(
    personas: Personas, second_manager: object
) -> None:
    month_facts(personas.office_a)
    UserFactory.create(
        email="gone@example.org", roles=[(personas.office_a, Role.MANAGER)], is_active=False
    )
    UserFactory.create(email="me@example.org", roles=[(personas.office_a, Role.ME_OFFICER)])

    report = monthly_report_produce(personas.office_a, datetime.date(2026, 3, 31))

    report.refresh_from_db()
    assert (report.office, report.month, report.sent_to) == (personas.office_a, MARCH, 2)
    assert bytes(report.pdf).startswith(b"%PDF")
    assert sorted(m.to[0] for m in mail.outbox) == ["pm-a@example.org", "pm2-a@example.org"]
    for message in mail.outbox:
        assert message.subject == "Monthly report of Office A, March 2026"
        assert "small-cell suppression" in message.body
        [(name, content, mimetype)] = message.attachments
        assert (name, mimetype) == ("wayhome-office-a-2026-03.pdf", "application/pdf")
        assert content == bytes(report.pdf)
    [event] = AuditEvent.objects.filter(action="reporting.monthly_report")
    assert event.object_id == str(report.pk)
    assert event.office_id == personas.office_a.pk
    assert event.details == {
        "month": "2026-03",
        "replaced": False,
        "recipients": 2,
        "bytes": len(bytes(report.pdf)),
    }


def test_the_mail_is_in_the_managers_language(personas: Personas) -> None:
    personas.manager_a.preferred_language = "fr"
    personas.manager_a.save()

    monthly_report_produce(personas.office_a, MARCH)

    [message] = mail.outbox
    assert message.subject != "Monthly report of Office A, March 2026"  # translated (or not yet)
    assert "mars 2026" in message.subject


def test_the_task_reports_on_every_office_with_facts(
    personas: Personas, second_manager: object
) -> None:
    month_facts(personas.office_a)
    # Office B: one registration in January, no return in March: it still gets its report.
    ReturnFactFactory.create(
        office=personas.office_b,
        departure_date=None,
        status="registered",
        registered_on=datetime.date(2026, 1, 4),
    )
    manager_b = UserFactory.create(
        email="pm-b@example.org", roles=[(personas.office_b, Role.MANAGER)]
    )
    closed = OfficeFactory.create(code="closed", is_active=False)
    ReturnFactFactory.create(office=closed, departure_date=datetime.date(2026, 3, 2))
    OfficeFactory.create(code="empty")  # no fact at all
    StaleCase.objects.all().delete()

    result = send_monthly_reports.enqueue(month="2026-03")

    assert result.status == TaskResultStatus.SUCCESSFUL, result.errors
    assert result.return_value == 2
    reports = {r.office.code: r for r in MonthlyReport.objects.select_related("office")}
    assert set(reports) == {"office-a", "office-b"}
    assert {r.month for r in reports.values()} == {MARCH}
    assert (reports["office-a"].sent_to, reports["office-b"].sent_to) == (2, 1)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["pm-a@example.org", "pm2-a@example.org", manager_b.email]
    )
    assert all(m.attachments[0][1].startswith(b"%PDF") for m in mail.outbox)


def test_running_again_replaces_the_report(personas: Personas) -> None:
    month_facts(personas.office_a)
    send_monthly_reports.enqueue(month="2026-03")
    [first] = MonthlyReport.objects.all()
    ReturnFactFactory.create(office=personas.office_a, departure_date=datetime.date(2026, 3, 30))
    StaleCase.objects.all().delete()

    result = send_monthly_reports.enqueue(month="2026-03")

    assert result.status == TaskResultStatus.SUCCESSFUL, result.errors
    [again] = MonthlyReport.objects.all()
    assert again.pk == first.pk
    assert bytes(again.pdf) != bytes(first.pdf)
    assert "People: 26" in texts(monthly_report_build(personas.office_a, MARCH, compress=False))
    assert len(mail.outbox) == 2  # mailed each time
    events = AuditEvent.objects.filter(action="reporting.monthly_report").order_by("seq")
    assert [e.details["replaced"] for e in events] == [False, True]


def test_the_task_defaults_to_the_previous_month(personas: Personas) -> None:
    month_facts(personas.office_a)

    send_monthly_reports.enqueue()

    [report] = MonthlyReport.objects.all()
    assert report.month == previous_month()


def test_months() -> None:
    assert previous_month(datetime.date(2026, 1, 1)) == datetime.date(2025, 12, 1)
    assert previous_month(datetime.date(2026, 3, 31)) == datetime.date(2026, 2, 1)
    assert parse_month("2026-03") == MARCH
    for wrong in ("2026-3", "2026-13", "march", "2026-03-01"):
        with pytest.raises(ValueError):  # noqa: PT011 - the one error parse_month raises
            parse_month(wrong)


def test_the_command_enqueues_the_task(personas: Personas) -> None:
    month_facts(personas.office_a)
    out = StringIO()

    call_command("send_monthly_reports", "--month", "2026-03", stdout=out)

    assert re.fullmatch(r"queued \S+\n", out.getvalue())
    [report] = MonthlyReport.objects.all()  # the immediate backend of the tests ran it
    assert report.month == MARCH


def test_the_command_refuses_a_bad_month(db: None) -> None:
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("send_monthly_reports", "--month", "03/2026", stdout=StringIO())
    assert not MonthlyReport.objects.exists()


# --- pages --------------------------------------------------------------------------------------


def test_the_list_shows_the_reports_of_the_users_offices_newest_first(
    personas: Personas,
) -> None:
    older = MonthlyReportFactory.create(office=personas.office_a, month=datetime.date(2026, 2, 1))
    newer = MonthlyReportFactory.create(office=personas.office_a, month=MARCH)
    other = MonthlyReportFactory.create(office=personas.office_b, month=MARCH)
    url = reverse("reporting:monthly-list")

    response = client_for(personas.manager_a).get(url)

    assert response.status_code == 200
    page = response.content.decode()
    links = [
        reverse("reporting:monthly-download", kwargs={"monthly_report_id": r.pk})
        for r in (newer, older)
    ]
    assert all(link in page for link in links)
    assert page.index(links[0]) < page.index(links[1])
    assert str(other.pk) not in page
    assert "Office B" not in page


def test_the_list_takes_the_same_queries_whatever_the_number_of_reports(
    personas: Personas,
) -> None:
    client = client_for(personas.manager_a)
    url = reverse("reporting:monthly-list")
    MonthlyReportFactory.create(office=personas.office_a, month=datetime.date(2025, 1, 1))
    client.get(url)  # the session and the permissions warmed up
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for number in range(2, 7):
        MonthlyReportFactory.create(office=personas.office_a, month=datetime.date(2025, number, 1))
    with CaptureQueriesContext(connection) as six:
        response = client.get(url)

    assert response.content.decode().count("/pdf/") == 6
    assert len(six) == len(one)
    assert not any('"pdf"' in query["sql"] for query in six.captured_queries)  # never loaded


def test_an_me_officer_sees_the_list(personas: Personas) -> None:
    officer = UserFactory.create(
        email="me-b@example.org", roles=[(personas.office_b, Role.ME_OFFICER)]
    )
    report = MonthlyReportFactory.create(office=personas.office_b, month=MARCH)
    hidden = MonthlyReportFactory.create(office=personas.office_a, month=MARCH)

    page = client_for(officer).get(reverse("reporting:monthly-list")).content.decode()

    assert str(report.pk) in page
    assert str(hidden.pk) not in page


@pytest.mark.parametrize("persona", ["caseworker_a", "caseworker_b", "auditor_a"])
def test_the_list_is_forbidden_without_report_view(personas: Personas, persona: str) -> None:
    MonthlyReportFactory.create(office=personas.office_a, month=MARCH)

    response = client_for(getattr(personas, persona)).get(reverse("reporting:monthly-list"))

    assert response.status_code == 403


def test_a_partner_user_does_not_find_the_list(personas: Personas) -> None:
    """Partner users are kept to their portal: the staff pages do not exist for them."""
    response = client_for(personas.partner).get(reverse("reporting:monthly-list"))

    assert response.status_code == 404


def test_the_list_needs_a_sign_in(db: None, client: object) -> None:
    response = client.get(reverse("reporting:monthly-list"))  # type: ignore[attr-defined]

    assert response.status_code == 302


def test_the_download_is_the_pdf_and_audited(personas: Personas) -> None:
    report = MonthlyReportFactory.create(office=personas.office_a, month=MARCH, pdf=b"%PDF-1.4 x")
    url = reverse("reporting:monthly-download", kwargs={"monthly_report_id": report.pk})

    response = client_for(personas.manager_a).get(url)

    assert response.status_code == 200
    assert response.content == b"%PDF-1.4 x"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="wayhome-office-a-2026-03.pdf"'
    )
    assert response["Cache-Control"] == "no-store"
    [event] = AuditEvent.objects.filter(action="reporting.monthly_report_download")
    assert event.actor_id == personas.manager_a.pk
    assert event.object_id == str(report.pk)
    assert event.details == {"month": "2026-03"}


@pytest.mark.parametrize("persona", ["caseworker_a", "caseworker_b", "partner", "auditor_a"])
def test_a_report_of_an_office_without_report_view_is_404(personas: Personas, persona: str) -> None:
    report = MonthlyReportFactory.create(office=personas.office_a, month=MARCH)
    url = reverse("reporting:monthly-download", kwargs={"monthly_report_id": report.pk})

    response = client_for(getattr(personas, persona)).get(url)

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="reporting.monthly_report_download").exists()


def test_another_offices_report_is_404_to_a_manager(personas: Personas) -> None:
    report = MonthlyReportFactory.create(office=personas.office_b, month=MARCH)
    url = reverse("reporting:monthly-download", kwargs={"monthly_report_id": report.pk})

    response = client_for(personas.manager_a).get(url)

    assert response.status_code == 404
