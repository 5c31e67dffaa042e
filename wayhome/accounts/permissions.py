"""The permission enum and the roles that grant permissions, per office.

A user holds roles in offices (``RoleGrant``); a role grants a fixed set of permissions in that
office only. Nothing is allowed unless a role grants it (deny by default). Sensitive categories
(trafficking, health, child protection details) have permissions of their own, held only by the
roles whose work needs them.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Perm(StrEnum):
    # People and their records
    PERSON_VIEW = "person.view"
    PERSON_CREATE = "person.create"
    PERSON_CHANGE = "person.change"
    # Cases (build order 2 onwards)
    CASE_VIEW = "case.view"
    CASE_CREATE = "case.create"
    CASE_CHANGE = "case.change"
    CASE_APPROVE = "case.approve"
    # Movements, medical, reintegration (later build orders)
    MOVEMENT_MANAGE = "movement.manage"
    MEDICAL_RECORD = "medical.record"
    REINTEGRATION_MANAGE = "reintegration.manage"
    # Sensitive categories: details only for these permissions
    SENSITIVE_TRAFFICKING = "sensitive.trafficking"
    SENSITIVE_HEALTH = "sensitive.health"
    SENSITIVE_CHILD = "sensitive.child"
    # Safety: maintaining the return-restriction register (it applies to every office)
    RESTRICTION_MANAGE = "safety.restrictions"
    # Oversight
    REPORT_VIEW = "report.view"
    EXPORT = "data.export"
    AUDIT_VIEW = "audit.view"
    DATA_PROTECTION = "data.protection"
    # Administration of an office
    OFFICE_MANAGE = "office.manage"
    USER_MANAGE = "user.manage"


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker (counsellor)")
    OPERATIONS = "operations", _("Operations officer")
    MEDICAL = "medical", _("Medical officer")
    REINTEGRATION = "reintegration", _("Reintegration officer")
    MANAGER = "manager", _("Programme manager")
    ME_OFFICER = "me_officer", _("Monitoring and evaluation officer")
    DPO = "dpo", _("Data protection officer")
    SAFETY = "safety", _("Safety and security officer")
    AUDITOR = "auditor", _("Auditor")
    PARTNER = "partner", _("Partner user")
    ADMIN = "admin", _("Administrator")


_CASE_WORK = {Perm.PERSON_VIEW, Perm.PERSON_CREATE, Perm.PERSON_CHANGE, Perm.CASE_VIEW}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.CASEWORKER: frozenset(
        _CASE_WORK | {Perm.CASE_CREATE, Perm.CASE_CHANGE, Perm.SENSITIVE_CHILD}
    ),
    Role.OPERATIONS: frozenset({Perm.PERSON_VIEW, Perm.CASE_VIEW, Perm.MOVEMENT_MANAGE}),
    Role.MEDICAL: frozenset(
        {Perm.PERSON_VIEW, Perm.CASE_VIEW, Perm.MEDICAL_RECORD, Perm.SENSITIVE_HEALTH}
    ),
    Role.REINTEGRATION: frozenset(_CASE_WORK | {Perm.CASE_CHANGE, Perm.REINTEGRATION_MANAGE}),
    Role.MANAGER: frozenset(
        _CASE_WORK
        | {
            Perm.CASE_APPROVE,
            Perm.REPORT_VIEW,
            Perm.SENSITIVE_TRAFFICKING,
            Perm.SENSITIVE_CHILD,
            Perm.EXPORT,
        }
    ),
    Role.ME_OFFICER: frozenset({Perm.REPORT_VIEW}),
    Role.DPO: frozenset(
        {Perm.PERSON_VIEW, Perm.CASE_VIEW, Perm.AUDIT_VIEW, Perm.DATA_PROTECTION, Perm.EXPORT}
    ),
    Role.AUDITOR: frozenset({Perm.AUDIT_VIEW}),
    # Maintains the return-restriction register (which applies to every office) and sees the
    # cases a restriction holds; records nothing on cases.
    Role.SAFETY: frozenset({Perm.CASE_VIEW, Perm.RESTRICTION_MANAGE}),
    # Partners see what is referred to them (build order 5); nothing of an office by default.
    Role.PARTNER: frozenset(),
    Role.ADMIN: frozenset({Perm.OFFICE_MANAGE, Perm.USER_MANAGE}),
}


def permissions_of(role: str) -> frozenset[Perm]:
    return ROLE_PERMISSIONS.get(role, frozenset())
