"""``manage.py audit_verify``: checks the whole audit chain; exits non-zero at the first break."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wayhome.audit.chain import chain_verify


class Command(BaseCommand):
    help = "Verifies the audit trail's hash chain and names the first broken event."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=5000,
            help="Events read per query (memory stays bounded by this).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        checked, broken = chain_verify(batch_size=batch_size)
        if broken is not None:
            raise CommandError(
                f"audit event #{broken.seq}: {broken.reason} ({checked} events verified before it)"
            )
        self.stdout.write(self.style.SUCCESS(f"{checked} events verified, chain intact"))
