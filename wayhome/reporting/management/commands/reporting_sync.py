"""Recompute the statistics facts of the cases changed since the last sync (cron: nightly, or
more often; readers of statistics also sync before reading)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wayhome.reporting.facts import facts_rebuild, facts_sync


class Command(BaseCommand):
    help = (
        "Recompute the statistics facts of changed cases (--all: of every case, after an import "
        "or to repair). Cron: 30 2 * * * manage.py reporting_sync"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Recompute every case's facts.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"]:
            written = facts_rebuild()
            self.stdout.write(f"{written} facts written.")
        else:
            done = facts_sync()
            self.stdout.write(f"{done} cases recomputed.")
