"""``manage.py seed_demo``: demo offices and one demo user per role, for trying Wayhome locally.

The seeding is a list of steps (``SEED_STEPS``) run in order; each creates what is missing and
says how many records it created, so that a second run changes nothing. Later build orders append
their steps (people, cases...) to the list.

Passwords are random and printed once, in a table. ``--reset-passwords`` sets and prints new ones.
The command refuses to run in production mode: it creates accounts whose e-mails are public.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from wayhome.accounts.models import Office, RoleGrant, User
from wayhome.accounts.permissions import Role
from wayhome.accounts.services import office_create, role_grant, user_create, user_password_set
from wayhome.cases.demo import seed_cases
from wayhome.feedback.demo import seed_feedback
from wayhome.movements.demo import seed_travel
from wayhome.people.demo import seed_people
from wayhome.portal.demo import seed_portal
from wayhome.reintegration.demo import seed_reintegration
from wayhome.reporting.demo import seed_statistics
from wayhome.surveys.demo import seed_surveys

DEMO_DOMAIN = "demo.wayhome.org"

HOST = Office.Kind.HOST
ORIGIN = Office.Kind.ORIGIN

# (code, name, kind, ISO 3166-1 country)
DEMO_OFFICES: list[tuple[str, str, str, str]] = [
    ("de-ber", "Berlin", HOST, "DE"),
    ("gr-ath", "Athens", HOST, "GR"),
    ("ma-rba", "Rabat", HOST, "MA"),
    ("ng-los", "Lagos", ORIGIN, "NG"),
    ("iq-bgw", "Baghdad", ORIGIN, "IQ"),
    ("sn-dkr", "Dakar", ORIGIN, "SN"),
]
_ALL = [code for code, *_ in DEMO_OFFICES]
_HOSTS = [code for code, _name, kind, _country in DEMO_OFFICES if kind == HOST]
_ORIGINS = [code for code, _name, kind, _country in DEMO_OFFICES if kind == ORIGIN]

# Where each demo user holds its role: host-country work in host offices, reintegration and
# partners in countries of origin, oversight everywhere.
DEMO_ROLE_OFFICES: dict[Role, list[str]] = {
    Role.CASEWORKER: ["de-ber", "gr-ath"],
    Role.OPERATIONS: ["de-ber", "gr-ath"],
    Role.MEDICAL: ["de-ber"],
    Role.REINTEGRATION: _ORIGINS,
    Role.MANAGER: _HOSTS,
    Role.ME_OFFICER: _ALL,
    Role.DPO: _ALL,
    Role.AUDITOR: _ALL,
    Role.ETHICS: _ALL,
    Role.SAFETY: _HOSTS,
    Role.PARTNER: ["ng-los"],
    Role.ADMIN: _ALL,
}

# Easy to read aloud and type: no 0/o, 1/l/i.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 (an alphabet)


def demo_email(role: str) -> str:
    return f"{role.replace('_', '-')}@{DEMO_DOMAIN}"


def new_password() -> str:
    """Four groups of four characters (about 79 bits), e.g. ``k7pq-x3mz-a8dd-2wfe``."""
    return "-".join("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(4))


@dataclass
class SeedContext:
    stdout: OutputWrapper
    reset_passwords: bool = False
    # e-mail -> (role label, password) of the accounts whose password was set in this run
    passwords: dict[str, tuple[str, str]] = field(default_factory=dict)


def seed_offices(ctx: SeedContext) -> int:
    created = 0
    for code, name, kind, country in DEMO_OFFICES:
        if not Office.objects.filter(code=code).exists():
            office_create(actor=None, code=code, name=name, kind=kind, country=country)
            created += 1
    return created


def seed_users(ctx: SeedContext) -> int:
    created = 0
    for role in DEMO_ROLE_OFFICES:
        email = demo_email(role)
        user = User.objects.filter(email=email).first()
        if user is None:
            password = new_password()
            user = user_create(
                actor=None, email=email, full_name=f"Demo {role.label}", password=password
            )
            ctx.passwords[email] = (str(role.label), password)
            created += 1
        elif ctx.reset_passwords:
            password = new_password()
            user_password_set(actor=None, user=user, password=password)
            ctx.passwords[email] = (str(role.label), password)
    return created


def seed_role_grants(ctx: SeedContext) -> int:
    created = 0
    offices = {office.code: office for office in Office.objects.filter(code__in=_ALL)}
    for role, codes in DEMO_ROLE_OFFICES.items():
        user = User.objects.get(email=demo_email(role))
        for code in codes:
            office = offices[code]
            if not RoleGrant.objects.filter(user=user, office=office, role=role).exists():
                role_grant(actor=None, user=user, office=office, role=role)
                created += 1
    return created


# The seeding steps, in order. Later build orders append theirs (people, cases...).
SEED_STEPS: list[tuple[str, Callable[[SeedContext], int]]] = [
    ("offices", seed_offices),
    ("users", seed_users),
    ("role grants", seed_role_grants),
    ("people", seed_people),
    ("cases", seed_cases),
    ("bookings", seed_travel),
    ("reintegration", seed_reintegration),
    ("surveys", seed_surveys),
    ("portal", seed_portal),
    ("feedback", seed_feedback),
    ("statistics", seed_statistics),
]


class Command(BaseCommand):
    help = (
        "Loads demo data (offices in three host countries and three countries of origin, one "
        "user per role, synthetic people). Safe to run again: it only adds what is missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="set new random passwords for the demo users and print them",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo creates demo accounts; it does not run in production.")
        ctx = SeedContext(stdout=self.stdout, reset_passwords=options["reset_passwords"])
        total = 0
        for name, step in SEED_STEPS:
            created = step(ctx)
            total += created
            if created:
                self.stdout.write(f"Demo {name}: {created} created")
        if total == 0 and not ctx.passwords:
            self.stdout.write(
                "The demo data exists already; nothing changed. "
                "Run `manage.py seed_demo --reset-passwords` for new passwords."
            )
            return
        if ctx.passwords:
            self.print_passwords(ctx.passwords)

    def print_passwords(self, passwords: dict[str, tuple[str, str]]) -> None:
        rows = [("Role", "E-mail", "Password")]
        rows += [(label, email, password) for email, (label, password) in passwords.items()]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        rule = "-+-".join("-" * w for w in widths)
        self.stdout.write("")
        self.stdout.write(
            "Demo accounts. The passwords are shown ONCE: note them now "
            "(`manage.py seed_demo --reset-passwords` prints new ones)."
        )
        self.stdout.write(rule)
        for index, row in enumerate(rows):
            line = " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            self.stdout.write(line.rstrip())
            if index == 0:
                self.stdout.write(rule)
        self.stdout.write(rule)
