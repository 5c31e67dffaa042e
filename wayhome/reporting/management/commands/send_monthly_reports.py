"""Queues the production and sending of the monthly reports (run on the 1st of each month)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wayhome.reporting.monthly import parse_month
from wayhome.reporting.tasks import send_monthly_reports


class Command(BaseCommand):
    help = (
        "Queue the monthly reports of every active office with cases: a PDF mailed to the "
        "office's programme managers (the previous calendar month unless --month is given). "
        "Run it on the 1st of each month, e.g. from cron: "
        "'30 6 1 * * cd /srv/wayhome && .venv/bin/python manage.py send_monthly_reports'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--month", metavar="YYYY-MM", help="The month to report on (default: the last one)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        month: str | None = options.get("month")
        if month:
            try:
                month = f"{parse_month(month):%Y-%m}"
            except ValueError as exc:
                raise CommandError("--month takes a month as YYYY-MM, e.g. 2026-03.") from exc
        result = send_monthly_reports.enqueue(month=month)
        self.stdout.write(f"queued {result.id}")
