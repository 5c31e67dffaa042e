"""The monthly reports, produced by the task queue: ``send_monthly_reports`` builds the report of
every active office with facts for one month and mails it to the office's programme managers
(enqueued on the first of each month by ``manage.py send_monthly_reports``)."""

from __future__ import annotations

from django_tasks import task

from wayhome.reporting.facts import facts_sync
from wayhome.reporting.monthly import (
    monthly_report_produce,
    offices_to_report,
    parse_month,
    previous_month,
)


@task()
def send_monthly_reports(month: str | None = None) -> int:
    """Produces and sends the reports of ``month`` ("YYYY-MM"; by default the previous calendar
    month); returns the number of reports produced."""
    day = parse_month(month) if month else previous_month()
    facts_sync()  # the figures of every committed change
    produced = 0
    for office in offices_to_report():
        monthly_report_produce(office, day)
        produced += 1
    return produced
