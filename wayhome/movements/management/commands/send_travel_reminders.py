"""Queues the daily travel reminders (run once a day, e.g. from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from wayhome.movements.tasks import send_travel_reminders


class Command(BaseCommand):
    help = "Queue the daily e-mails to operations officers (travel documents, bookings, checks)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = send_travel_reminders.enqueue()
        self.stdout.write(f"queued {result.id}")
