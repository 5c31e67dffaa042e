"""The actions written to the audit trail, with the words the auditor's page shows for them.

Every app that calls ``audit_record`` names its actions, so that auditors can filter by them (the
filter offers exactly these): the platform's are listed here; later apps call ``register`` from
their ``AppConfig.ready`` instead of editing this module.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTIONS: dict[str, Promise] = {
    "auth.login": _("Signed in"),
    "auth.mfa_enrol": _("Enrolled in two-step verification"),
    "auth.mfa_verify": _("Passed two-step verification"),
    "auth.mfa_failure": _("Failed two-step verification"),
    "office.create": _("Created an office"),
    "user.create": _("Created a user account"),
    "user.password_set": _("Set a user's password"),
    "role.grant": _("Granted a role"),
    "audit.view": _("Viewed the audit trail"),
    "audit.export": _("Exported the audit trail"),
    "person.create": _("Registered a person"),
    "person.change": _("Changed a person's details"),
    "person.view": _("Viewed a person's record"),
    "person.list": _("Listed people"),
    "person.search": _("Searched for people"),
    "token.issue": _("Issued an API token"),
    "token.revoke": _("Revoked an API token"),
}


def register(actions: dict[str, Promise]) -> None:
    """Adds an app's actions; an action name already taken is a programming error."""
    taken = set(actions) & set(ACTIONS)
    if taken:
        raise ValueError(f"audit actions registered twice: {', '.join(sorted(taken))}")
    ACTIONS.update(actions)


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))
