from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from wayhome.accounts.models import Office, RoleGrant, User
from wayhome.accounts.permissions import Role
from wayhome.audit.models import AuditEvent
from wayhome.core.management.commands.seed_demo import demo_email
from wayhome.people.demo import DEMO_PEOPLE
from wayhome.people.models import Person
from wayhome.people.selectors import person_list

pytestmark = pytest.mark.django_db


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def _passwords(output: str) -> dict[str, str]:
    return dict(re.findall(r"(\S+@demo\.wayhome\.org)\s*\|\s*(\S+)", output))


def test_seed_demo_creates_offices_in_three_host_and_three_origin_countries() -> None:
    _seed()
    hosts = set(Office.objects.filter(kind=Office.Kind.HOST).values_list("country", flat=True))
    origins = set(Office.objects.filter(kind=Office.Kind.ORIGIN).values_list("country", flat=True))
    assert len(hosts) == 3
    assert len(origins) == 3
    assert not hosts & origins


def test_seed_demo_creates_one_user_per_role_with_a_printed_password_that_signs_in() -> None:
    output = _seed()
    passwords = _passwords(output)
    assert set(passwords) == {demo_email(role) for role in Role}
    assert "caseworker@demo.wayhome.org" in passwords
    for role in Role:
        user = User.objects.get(email=demo_email(role))
        assert RoleGrant.objects.filter(user=user, role=role).exists()
        assert user.check_password(passwords[user.email])
    # Passwords are random: no two alike, and never in the audit trail.
    assert len(set(passwords.values())) == len(passwords)
    trail = str(list(AuditEvent.objects.values_list("details", flat=True)))
    assert not any(password in trail for password in passwords.values())


def test_seed_demo_twice_changes_nothing_and_says_so() -> None:
    _seed()
    counts = (
        Office.objects.count(),
        User.objects.count(),
        RoleGrant.objects.count(),
        Person.objects.count(),
    )
    hashes = dict(User.objects.values_list("email", "password"))
    output = _seed()
    assert "exists already" in output
    assert _passwords(output) == {}
    assert (
        Office.objects.count(),
        User.objects.count(),
        RoleGrant.objects.count(),
        Person.objects.count(),
    ) == counts
    assert dict(User.objects.values_list("email", "password")) == hashes


def test_seed_demo_reset_passwords_prints_new_working_passwords() -> None:
    first = _passwords(_seed())
    second = _passwords(_seed("--reset-passwords"))
    assert set(second) == set(first)
    email = demo_email(Role.CASEWORKER)
    assert second[email] != first[email]
    user = User.objects.get(email=email)
    assert user.check_password(second[email])
    assert not user.check_password(first[email])


def test_seed_demo_refuses_production_mode(settings: object) -> None:
    settings.PRODUCTION = True  # type: ignore[attr-defined]
    with pytest.raises(CommandError):
        _seed()
    assert not Office.objects.exists()


def test_seed_demo_registers_synthetic_people_the_caseworker_sees() -> None:
    _seed()
    # The people step's people are on no case (the cases step registers the people of its cases).
    assert Person.objects.filter(case_memberships=None).count() == DEMO_PEOPLE
    caseworker = User.objects.get(email=demo_email(Role.CASEWORKER))
    assert person_list(caseworker).filter(case_memberships=None).count() == DEMO_PEOPLE
    written = [p.name_as_written for p in Person.objects.all() if p.name_as_written]
    assert written
    assert any("\u0600" <= char <= "\u06ff" for char in written[0])
    origin_reintegration = User.objects.get(email=demo_email(Role.REINTEGRATION))
    assert person_list(origin_reintegration).count() == 0
