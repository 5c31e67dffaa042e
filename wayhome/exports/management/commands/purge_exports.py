"""``manage.py purge_exports``: deletes the files of expired exports (run hourly by cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wayhome.exports.services import exports_purge


class Command(BaseCommand):
    help = (
        "Deletes the files of exports past their expiry (EXPORT_TTL_HOURS) and forgets exports "
        "expired for more than --keep-days days. Run it hourly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--keep-days", type=int, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = exports_purge(keep_days=options["keep_days"])
        self.stdout.write(f"{deleted} export file(s) deleted")
