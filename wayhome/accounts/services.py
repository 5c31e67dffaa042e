"""Writes about offices, users and role grants. Each is audited in its own transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wayhome.accounts.models import Office, RoleGrant, User
from wayhome.accounts.permissions import Role
from wayhome.audit.services import audit_record


def office_create(*, actor: Any, code: str, name: str, kind: str, country: str) -> Office:
    office = Office(code=code, name=name, kind=kind, country=country.upper())
    office.full_clean()
    with transaction.atomic():
        office.save()
        audit_record(actor=actor, action="office.create", obj=office, office_id=office.pk)
    return office


def user_create(
    *,
    actor: Any,
    email: str,
    full_name: str = "",
    password: str | None = None,
    office: Office | None = None,
    role: str | None = None,
) -> User:
    """Creates a user, optionally with a first role; the password is checked by the validators."""
    user = User(email=User.objects.normalize_email(email).lower(), full_name=full_name)
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save()
        audit_record(actor=actor, action="user.create", obj=user)
        if office is not None and role is not None:
            _grant(actor=actor, user=user, office=office, role=role)
    return user


def role_grant(*, actor: Any, user: User, office: Office, role: str) -> RoleGrant:
    with transaction.atomic():
        return _grant(actor=actor, user=user, office=office, role=role)


def _grant(*, actor: Any, user: User, office: Office, role: str) -> RoleGrant:
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(Role.values)}")
    others = set(
        RoleGrant.objects.filter(user=user, office=office)
        .exclude(role=role)
        .values_list("role", flat=True)
    )
    if others and (role == Role.ETHICS or Role.ETHICS in others):
        # The independent queue of misconduct reports is independent of the office it concerns.
        raise ValidationError(
            _(
                "The ethics and conduct role is independent: it is not combined with another "
                "role in the same office."
            ),
            code="ethics_independent",
        )
    grant, created = RoleGrant.objects.get_or_create(user=user, office=office, role=role)
    if created:
        audit_record(
            actor=actor,
            action="role.grant",
            obj=grant,
            office_id=office.pk,
            details={"role": role, "user_id": str(user.pk)},
        )
    return grant


def user_password_set(*, actor: Any, user: User, password: str) -> User:
    """Sets a new password (checked by the validators); the audit event holds no secret."""
    validate_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save(update_fields=["password"])
        audit_record(actor=actor, action="user.password_set", obj=user)
    return user
