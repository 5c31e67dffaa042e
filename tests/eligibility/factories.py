"""Eligibility for tests: new rule-set versions and decisions, made through the services."""

from __future__ import annotations

from typing import Any

from tests.factories import OfficeFactory, UserFactory
from wayhome.accounts.models import User
from wayhome.accounts.permissions import Role
from wayhome.eligibility.models import RuleSet
from wayhome.eligibility.services import ruleset_create


def an_admin() -> User:
    return UserFactory.create(roles=[(OfficeFactory.create(code="headquarters"), Role.ADMIN)])


def new_rules(programme: str, rules: dict[str, Any], *, actor: User | None = None) -> RuleSet:
    """A new (and so active) version of ``programme``'s rules."""
    return ruleset_create(
        actor=actor or an_admin(), programme=programme, rules=rules, note="Changed for a test"
    )
