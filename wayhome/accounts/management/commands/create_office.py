from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wayhome.accounts.models import Office
from wayhome.accounts.services import office_create
from wayhome.core.errors import validation_message


class Command(BaseCommand):
    help = "Creates an office (a host-country or country-of-origin office)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True, help="short unique code, e.g. de-ber")
        parser.add_argument("--name", required=True)
        parser.add_argument("--kind", required=True, choices=Office.Kind.values)
        parser.add_argument("--country", required=True, help="ISO 3166-1 alpha-2 code, e.g. DE")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            office = office_create(
                actor=None,
                code=options["code"],
                name=options["name"],
                kind=options["kind"],
                country=options["country"],
            )
        except ValidationError as exc:
            raise CommandError(validation_message(exc)) from exc
        self.stdout.write(f"Created office {office.code} ({office.pk})")
