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
    # The migrant's voice (build order 6): inquiries and feedback from the public portal, the
    # portal's country pages, surveys. Reports of staff misconduct are handled by an independent
    # role only (``MISCONDUCT_HANDLE``), never by the office they concern.
    FEEDBACK_HANDLE = "feedback.handle"
    MISCONDUCT_HANDLE = "feedback.misconduct"
    PORTAL_MANAGE = "portal.manage"
    SURVEY_CONDUCT = "survey.conduct"
    SURVEY_MANAGE = "survey.manage"
    # Sensitive categories: details only for these permissions
    SENSITIVE_TRAFFICKING = "sensitive.trafficking"
    SENSITIVE_HEALTH = "sensitive.health"
    SENSITIVE_CHILD = "sensitive.child"
    # Safety: maintaining the return-restriction register (it applies to every office)
    RESTRICTION_MANAGE = "safety.restrictions"
    # Oversight
    REPORT_VIEW = "report.view"
    EXPORT = "data.export"
    # Bulk import of registrations from files (build order 8); the rows still need the
    # permissions to register people (and open cases) in the office.
    IMPORT_RUN = "data.import"
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
    ETHICS = "ethics", _("Ethics and conduct officer (independent)")
    PARTNER = "partner", _("Partner user")
    ADMIN = "admin", _("Administrator")


_CASE_WORK = {Perm.PERSON_VIEW, Perm.PERSON_CREATE, Perm.PERSON_CHANGE, Perm.CASE_VIEW}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.CASEWORKER: frozenset(
        _CASE_WORK
        | {
            Perm.CASE_CREATE,
            Perm.CASE_CHANGE,
            Perm.SENSITIVE_CHILD,
            Perm.FEEDBACK_HANDLE,
            Perm.IMPORT_RUN,
        }
    ),
    Role.OPERATIONS: frozenset({Perm.PERSON_VIEW, Perm.CASE_VIEW, Perm.MOVEMENT_MANAGE}),
    Role.MEDICAL: frozenset(
        {Perm.PERSON_VIEW, Perm.CASE_VIEW, Perm.MEDICAL_RECORD, Perm.SENSITIVE_HEALTH}
    ),
    Role.REINTEGRATION: frozenset(
        _CASE_WORK
        | {Perm.CASE_CHANGE, Perm.REINTEGRATION_MANAGE, Perm.PORTAL_MANAGE, Perm.SURVEY_CONDUCT}
    ),
    Role.MANAGER: frozenset(
        _CASE_WORK
        | {
            Perm.CASE_APPROVE,
            Perm.REPORT_VIEW,
            Perm.SENSITIVE_TRAFFICKING,
            Perm.SENSITIVE_CHILD,
            Perm.EXPORT,
            Perm.IMPORT_RUN,
            Perm.FEEDBACK_HANDLE,
            Perm.PORTAL_MANAGE,
            Perm.SURVEY_CONDUCT,
            Perm.SURVEY_MANAGE,
        }
    ),
    # Monitoring and evaluation: figures, survey instruments and schedules, feedback; no case.
    Role.ME_OFFICER: frozenset({Perm.REPORT_VIEW, Perm.FEEDBACK_HANDLE, Perm.SURVEY_MANAGE}),
    Role.DPO: frozenset(
        {Perm.PERSON_VIEW, Perm.CASE_VIEW, Perm.AUDIT_VIEW, Perm.DATA_PROTECTION, Perm.EXPORT}
    ),
    Role.AUDITOR: frozenset({Perm.AUDIT_VIEW}),
    # Handles reports of staff misconduct (sexual exploitation and abuse, fraud...) about the
    # offices where the role is granted, and nothing else there: the independent queue. The role
    # is not combined with another role in the same office (``accounts.services.role_grant``).
    Role.ETHICS: frozenset({Perm.MISCONDUCT_HANDLE}),
    # Maintains the return-restriction register (which applies to every office) and sees the
    # cases a restriction holds; records nothing on cases.
    Role.SAFETY: frozenset({Perm.CASE_VIEW, Perm.RESTRICTION_MANAGE}),
    # Partners see what is referred to them (build order 5); nothing of an office by default.
    Role.PARTNER: frozenset(),
    Role.ADMIN: frozenset({Perm.OFFICE_MANAGE, Perm.USER_MANAGE}),
}


def permissions_of(role: str) -> frozenset[Perm]:
    return ROLE_PERMISSIONS.get(role, frozenset())
