"""Apply the retention rules of every office (cron: nightly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wayhome.retention.models import RetentionRun
from wayhome.retention.tasks import retention_nightly, run_all


class Command(BaseCommand):
    help = (
        "Anonymise the closed cases due under the retention rules of every office (--dry-run: "
        "only report what would be done). Cron: 0 3 * * * manage.py retention_run --enqueue"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Report, change nothing.")
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the run for the task worker."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            retention_nightly.enqueue(dry_run=options["dry_run"])
            self.stdout.write("Retention run queued.")
            return
        for run in RetentionRun.objects.filter(pk__in=run_all(dry_run=options["dry_run"])):
            verb = "would anonymise" if run.dry_run else "anonymised"
            self.stdout.write(
                f"{run.office.code}: {verb} {run.cases} cases, {run.held} held, "
                f"{run.rows} rows erased (run {run.pk})."
            )
