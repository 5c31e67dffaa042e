from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Role
from wayhome.accounts.services import user_create
from wayhome.core.errors import validation_message


class Command(BaseCommand):
    help = (
        "Creates a user with a role in an office. "
        "Without --password, one is generated and printed once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--office", required=True, help="office code")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--name", default="", help="full name")
        parser.add_argument("--password", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        office = Office.objects.filter(code=options["office"]).first()
        if office is None:
            raise CommandError(f"No office with code {options['office']!r}")
        password = options["password"] or secrets.token_urlsafe(12)
        try:
            user = user_create(
                actor=None,
                email=options["email"],
                full_name=options["name"],
                password=password,
                office=office,
                role=options["role"],
            )
        except ValidationError as exc:
            raise CommandError(validation_message(exc)) from exc
        self.stdout.write(f"Created user {user.email} ({options['role']} at {office.code})")
        if not options["password"]:
            self.stdout.write(f"Password (shown once): {password}")
