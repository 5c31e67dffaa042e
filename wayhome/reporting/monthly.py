"""The monthly report of an office: a PDF of the month's returns, produced by the task queue on
the first of each month (``manage.py send_monthly_reports``) and mailed to the office's programme
managers.

What it holds, for one office and one calendar month (returns are counted by their date of
departure):

* the title, the office, the month and the day it was produced;
* the returns of the month, people and cases;
* the month's returns by country of origin, sex and age group, programme, migrant category and
  main vulnerability;
* the pipeline: the cases registered by the end of the month and not closed before it began, by
  their status. Facts keep no history of statuses, so this is each case's *current* status; the
  report is produced on the first of the next month, when the two are the same;
* the returns of the year to date, month by month: a bar chart, then its table.

Every table is read through ``Table.protect()``: the report leaves the system by e-mail, so
disclosure control always applies, whoever reads it. A withheld cell is printed "x", and each
table with one says why (the thresholds of ``tables.threshold()`` and
``tables.sensitive_threshold()``).

The report is in English in this version: it is built with English active, whatever the
recipients' languages (the PDF's core fonts cover Latin characters only; other scripts are
transliterated, as in the movements' PDFs). The e-mail around it is in each manager's language.

The facts are read with ``ReturnFact.objects.filter(office=office, ...)`` directly: the report is
the office's own, sent to its managers, not a reading by a user.
"""

from __future__ import annotations

import calendar
import datetime
import uuid
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from wayhome.accounts.models import Office, RoleGrant
from wayhome.accounts.permissions import Role
from wayhome.audit.services import audit_record
from wayhome.core.charts import BLUE
from wayhome.movements.pdf import _text as pdf_text
from wayhome.reporting.models import MonthlyReport, ReturnFact
from wayhome.reporting.selectors import report_offices
from wayhome.reporting.tables import (
    COUNT,
    TOTAL,
    Key,
    Table,
    sensitive_threshold,
    tabulate,
    threshold,
)

#: The breakdowns of the month's returns, in the order printed: (rows, columns or None).
BREAKDOWNS: tuple[tuple[str, str | None], ...] = (
    ("origin_country", None),
    ("sex", "age_group"),
    ("programme", None),
    ("category", None),
    ("vulnerability", None),
)

WITHHELD = "x"


# --- months -----------------------------------------------------------------------------------


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def previous_month(today: datetime.date | None = None) -> datetime.date:
    """The first day of the calendar month before ``today``'s (today: the local date)."""
    first = month_start(today or timezone.localdate())
    return month_start(first - datetime.timedelta(days=1))


def parse_month(value: str) -> datetime.date:
    """``"2026-03"`` -> 2026-03-01; ``ValueError`` for anything else."""
    text = value.strip()
    if len(text) != 7 or text[4] != "-":
        raise ValueError(f"not a month (YYYY-MM): {value!r}")
    return datetime.date.fromisoformat(f"{text}-01")


def month_label(month: datetime.date) -> str:
    """ "March 2026", in the active language."""
    return dateformat.format(month, "F Y")


# --- what the report holds --------------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyContent:
    """Everything the PDF prints, every table already protected."""

    office_name: str
    month: datetime.date  # its first day
    produced_on: datetime.date
    people: int | None  # None when withheld
    cases: int | None
    breakdowns: tuple[Table, ...]
    pipeline: Table
    year_to_date: Table


def _returns(office: Office, month: datetime.date) -> QuerySet[ReturnFact]:
    return ReturnFact.objects.filter(
        office=office,
        departure_date__gte=month_start(month),
        departure_date__lte=month_end(month),
    )


def _year_to_date(office: Office, month: datetime.date) -> Table:
    facts = ReturnFact.objects.filter(
        office=office,
        departure_date__gte=month.replace(month=1, day=1),
        departure_date__lte=month_end(month),
    )
    table = tabulate(facts, "month", title=_("Returns of the year to date, by month"))
    # Every month from January, an empty one as 0 (a zero is published and changes nothing of
    # the suppression of the others).
    months = [month.replace(month=number, day=1) for number in range(1, month.month + 1)]
    keys = tuple(Key(f"{day:%Y-%m}", dateformat.format(day, "F")) for day in months)
    return replace(table, rows=keys).protect()


def _pipeline(office: Office, month: datetime.date) -> Table:
    facts = ReturnFact.objects.filter(office=office, registered_on__lte=month_end(month)).filter(
        Q(closed_on=None) | Q(closed_on__gte=month_start(month))
    )
    return tabulate(
        facts, "status", measure="cases", title=_("Pipeline: cases by current status")
    ).protect()


def monthly_report_content(
    office: Office, month: datetime.date, *, today: datetime.date | None = None
) -> MonthlyContent:
    """The figures of ``office``'s report for ``month`` (any day of it), after disclosure control.
    Labels are in the active language (``monthly_report_build`` makes it English)."""
    month = month_start(month)
    returns = _returns(office, month)
    breakdowns = tuple(
        tabulate(returns, rows, cols, title=_title(rows)).protect() for rows, cols in BREAKDOWNS
    )
    # The headline figures are the grand totals of protected tables: withheld when too small.
    people = breakdowns[0].published(TOTAL, TOTAL)
    cases = tabulate(returns, "programme", measure="cases").protect().published(TOTAL, TOTAL)
    return MonthlyContent(
        office_name=office.name,
        month=month,
        produced_on=today or timezone.localdate(),
        people=people,
        cases=cases,
        breakdowns=breakdowns,
        pipeline=_pipeline(office, month),
        year_to_date=_year_to_date(office, month),
    )


def _title(rows: str) -> str:
    titles = {
        "origin_country": _("Returns by country of origin"),
        "sex": _("Returns by sex and age group"),
        "programme": _("Returns by programme"),
        "category": _("Returns by migrant category"),
        "vulnerability": _("Returns by main vulnerability"),
    }
    return titles[rows]


# --- the PDF ----------------------------------------------------------------------------------


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _figure(value: int | None) -> str:
    return WITHHELD if value is None else f"{value:,}"


def suppression_note() -> str:
    return _(
        "x: withheld. Cells counting fewer than %(k)s people or cases (fewer than %(ks)s for "
        "trafficking, children and health) are not published, nor are the cells from which "
        "they could be worked out with the totals."
    ) % {"k": threshold(), "ks": sensitive_threshold()}


class _ReportPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("Helvetica", "", 7)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, pdf_text(f"{self.footer_text} - {self.page_no()}/{{nb}}"), align="C")
        self.set_text_color(0, 0, 0)


def _heading(pdf: FPDF, text: str) -> None:
    if pdf.will_page_break(30):
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 7, pdf_text(text), new_x="LMARGIN", new_y="NEXT")


def _note(pdf: FPDF, text: str) -> None:
    pdf.set_font("Helvetica", "I", 7)
    pdf.multi_cell(0, 3.5, pdf_text(text), align="L", new_x="LMARGIN", new_y="NEXT")


def _table(pdf: FPDF, table: Table, *, heading: bool = True) -> None:
    """The table with its totals row (and totals column when two-way); "x" where withheld."""
    if heading:
        _heading(pdf, table.title)
    pdf.set_font("Helvetica", "", 8)
    row_heading = str(table.row_dimension.label)
    if table.one_way:
        columns = [table.cols[0].label]
        codes = [COUNT]
        widths: tuple[float, ...] = (90, 30)
    else:
        columns = [key.label for key in table.cols] + [_("Total")]
        codes = [key.code for key in table.cols] + [TOTAL]
        first = 38.0
        each = int((pdf.epw - first) / len(columns) * 10) / 10  # not a hair wider than the page
        widths = (first, *[each] * len(columns))
    align = ("LEFT", *["RIGHT"] * len(columns))
    with pdf.table(
        col_widths=widths,
        width=sum(widths),
        align="LEFT",
        text_align=align,
        line_height=4.5,
        first_row_as_headings=True,
    ) as grid:
        header = grid.row()
        for text in [row_heading, *columns]:
            header.cell(pdf_text(text))
        for key in [*table.rows, Key(TOTAL, _("Total"))]:
            line = grid.row()
            line.cell(pdf_text(key.label))
            for code in codes:
                line.cell(_figure(table.published(key.code, code)))
    if table.suppressed:
        pdf.ln(1)
        _note(pdf, suppression_note())


def _bar_chart(pdf: FPDF, table: Table) -> None:
    """Vertical bars, one per month, in Okabe-Ito blue, each labelled with its count ("x" and no
    bar when withheld); the table follows it."""
    height = 45.0
    if pdf.will_page_break(height + 25):
        pdf.add_page()
    values = [table.published(key.code, COUNT) for key in table.rows]
    top = max([v for v in values if v is not None] + [1])
    slot = min(pdf.epw / max(len(values), 1), 20.0)
    bar = slot * 0.6
    x0, y0 = pdf.l_margin, pdf.get_y() + 6  # room for the counts above the tallest bar
    base = y0 + height
    pdf.set_fill_color(*_rgb(BLUE))
    pdf.set_draw_color(0, 0, 0)
    pdf.set_font("Helvetica", "", 7)
    for index, (key, value) in enumerate(zip(table.rows, values, strict=True)):
        x = x0 + index * slot + (slot - bar) / 2
        size = 0.0 if not value else height * value / top
        if size:
            pdf.rect(x, base - size, bar, size, style="F")
        pdf.set_xy(x0 + index * slot, base - size - 4)
        pdf.cell(slot, 4, _figure(value), align="C")
        pdf.set_xy(x0 + index * slot, base + 1)
        pdf.cell(slot, 4, pdf_text(key.label[:3]), align="C")
    pdf.line(x0, base, x0 + slot * len(values), base)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_xy(pdf.l_margin, base + 7)


def monthly_report_pdf(content: MonthlyContent, *, compress: bool = True) -> bytes:
    """The PDF of ``content`` (``compress=False`` leaves the text readable in the file, for
    tests)."""
    month = month_label(content.month)
    pdf = _ReportPDF(orientation="P", unit="mm", format="A4")
    pdf.set_compression(compress)
    pdf.set_creator("Wayhome")
    title = _("Monthly report: %(office)s, %(month)s") % {
        "office": content.office_name,
        "month": month,
    }
    pdf.set_title(pdf_text(title))
    pdf.footer_text = title
    pdf.alias_nb_pages()
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 8, pdf_text(_("Monthly report of returns")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for label, value in (
        (_("Office"), content.office_name),
        (_("Month"), month),
        (_("Produced on"), content.produced_on.isoformat()),
    ):
        pdf.cell(0, 5.5, pdf_text(f"{label}: {value}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _note(
        pdf,
        _(
            "Returns are counted by their date of departure. Every figure is protected by "
            "small-cell suppression, whoever reads this report."
        )
        + " "
        + suppression_note(),
    )

    _heading(pdf, _("Returns in %(month)s") % {"month": month})
    pdf.set_font("Helvetica", "", 10)
    for label, count in ((_("People"), content.people), (_("Cases"), content.cases)):
        pdf.cell(0, 5.5, pdf_text(f"{label}: {_figure(count)}"), new_x="LMARGIN", new_y="NEXT")

    for table in content.breakdowns:
        _table(pdf, table)

    _table(pdf, content.pipeline)
    _note(
        pdf,
        _(
            "Cases registered by the end of the month and not closed before it began, by their "
            "status on the day this report was produced."
        ),
    )

    _heading(pdf, content.year_to_date.title)
    _bar_chart(pdf, content.year_to_date)
    _table(pdf, content.year_to_date, heading=False)
    return bytes(pdf.output())


def monthly_report_build(office: Office, month: datetime.date, *, compress: bool = True) -> bytes:
    """The PDF of ``office``'s report for ``month`` (any day of it), in English."""
    with translation.override("en"):
        return monthly_report_pdf(monthly_report_content(office, month), compress=compress)


# --- producing and sending --------------------------------------------------------------------


def _managers(office: Office) -> list[Any]:
    grants = (
        RoleGrant.objects.filter(office=office, role=Role.MANAGER, user__is_active=True)
        .select_related("user")
        .order_by("user__email")
    )
    users: dict[Any, Any] = {}
    for grant in grants:
        users.setdefault(grant.user_id, grant.user)
    return list(users.values())


def _mail(office: Office, month: datetime.date, pdf: bytes, user: Any) -> EmailMessage:
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        values = {"office": office.name, "month": month_label(month)}
        subject = _("Monthly report of %(office)s, %(month)s") % values
        body = "\n\n".join(
            [
                _("The monthly report of %(office)s for %(month)s is attached (PDF).") % values,
                _(
                    "Its figures are protected by small-cell suppression: a cell counting fewer "
                    "than %(k)s people or cases (%(ks)s for trafficking, children and health), "
                    "and any cell from which it could be worked out, is printed as x."
                )
                % {"k": threshold(), "ks": sensitive_threshold()},
                _("Past reports are in Wayhome, under Reporting, Monthly reports."),
            ]
        )
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach(f"wayhome-{office.code}-{month:%Y-%m}.pdf", pdf, "application/pdf")
    return message


def monthly_report_produce(office: Office, month: datetime.date) -> MonthlyReport:
    """Builds ``office``'s report for ``month``, stores it (replacing the month's earlier one),
    audits it and mails it to each active programme manager of the office; ``sent_to`` is the
    number of mails sent."""
    month = month_start(month)
    pdf = monthly_report_build(office, month)  # slow: outside the transaction
    managers = _managers(office)
    with transaction.atomic():
        report = (
            MonthlyReport.objects.select_for_update().filter(office=office, month=month).first()
        )
        replaced = report is not None
        if report is None:
            report = MonthlyReport(office=office, month=month)
        report.pdf = pdf
        report.sent_to = 0
        report.full_clean()
        report.save()
        audit_record(
            actor=None,
            action="reporting.monthly_report",
            obj=report,
            details={
                "month": f"{month:%Y-%m}",
                "replaced": replaced,
                "recipients": len(managers),
                "bytes": len(pdf),
            },
        )
    sent = 0
    for user in managers:
        sent += _mail(office, month, pdf, user).send()
    MonthlyReport.objects.filter(pk=report.pk).update(sent_to=sent)
    report.sent_to = sent
    return report


def offices_to_report() -> QuerySet[Office]:
    """The active offices with at least one fact (a case registered at any time)."""
    with_facts = ReturnFact.objects.order_by().values("office_id").distinct()
    return Office.objects.filter(is_active=True, pk__in=with_facts).order_by("code")


# --- reading ----------------------------------------------------------------------------------


def monthly_report_list(user: Any) -> QuerySet[MonthlyReport]:
    """The reports of the offices where ``user`` holds REPORT_VIEW, newest first (no PDF)."""
    return (
        MonthlyReport.objects.filter(office__in=report_offices(user))
        .select_related("office")
        .defer("pdf")
        .order_by("-month", "office__code", "id")
    )


def monthly_report_get(user: Any, monthly_report_id: uuid.UUID) -> MonthlyReport:
    """The report if ``user`` holds REPORT_VIEW in its office; ``Http404`` otherwise."""
    report = (
        MonthlyReport.objects.filter(pk=monthly_report_id, office__in=report_offices(user))
        .select_related("office")
        .first()
    )
    if report is None:
        raise Http404
    return report
