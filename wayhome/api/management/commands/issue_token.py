from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wayhome.accounts.models import User
from wayhome.api.services import token_issue
from wayhome.core.errors import validation_message


class Command(BaseCommand):
    help = (
        "Issues a personal API token for a user and prints only the token (shown once). "
        "Example: TOKEN=$(manage.py issue_token --email a@example.org)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="issued by command", help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["email"].strip().lower()).first()
        if user is None:
            raise CommandError("No user with that e-mail address")
        try:
            _token, secret = token_issue(actor=None, user=user, name=options["name"])
        except ValidationError as exc:
            raise CommandError(validation_message(exc)) from exc
        self.stdout.write(secret)
