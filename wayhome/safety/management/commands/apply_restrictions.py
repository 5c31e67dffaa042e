"""``manage.py apply_restrictions``: run daily (cron or a scheduler) to hold the cases of a
suspension that starts today and release those of one that has ended."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from wayhome.safety.services import restrictions_apply


class Command(BaseCommand):
    help = "Holds and releases cases as the return-restriction register says for today."

    def handle(self, *args: Any, **options: Any) -> None:
        result = restrictions_apply()
        self.stdout.write(
            f"held {len(result.held)}, released {len(result.released)}, "
            f"moved to another suspension {len(result.kept)}"
        )
