"""Recomputes every person's duplicate-detection keys (``MatchKey``).

Run after a change of the blind-index key or of the matching engine, or after an import that
bypassed the services. Restartable: each batch commits on its own and a person's keys are made
equal to what they should be (running twice changes nothing); ``--after`` resumes after the last
id printed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from wayhome.people.duplicates import IDENTITY_FIELDS, match_keys_refresh
from wayhome.people.models import Person


class Command(BaseCommand):
    help = "Recompute the duplicate-detection keys of every person (restartable)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500, help="People per transaction.")
        parser.add_argument("--after", default="", help="Resume after this person id.")

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = max(1, options["batch"])
        people = Person.objects.order_by("pk").only(*IDENTITY_FIELDS)
        if options["after"]:
            people = people.filter(pk__gt=options["after"])
        total = people.count()
        done = 0
        last = None
        while True:
            page = people.filter(pk__gt=last) if last is not None else people
            batch = list(page[:batch_size])
            if not batch:
                break
            with transaction.atomic():
                for person in batch:
                    match_keys_refresh(person)
            done += len(batch)
            last = batch[-1].pk
            self.stdout.write(f"{done}/{total} people done (last id {last})")
        self.stdout.write(self.style.SUCCESS(f"Match keys rebuilt for {done} people."))
