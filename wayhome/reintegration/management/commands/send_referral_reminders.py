"""Queues the reminders and escalations of unanswered referrals (run daily, e.g. from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from wayhome.reintegration.tasks import send_referral_reminders


class Command(BaseCommand):
    help = "Queue reminders to partners that have not answered a referral, and escalations."

    def handle(self, *args: Any, **options: Any) -> None:
        result = send_referral_reminders.enqueue()
        self.stdout.write(f"queued {result.id}")
