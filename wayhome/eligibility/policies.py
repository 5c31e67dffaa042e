"""Who may change eligibility rules and who may decide or override.

Rule sets are organisation-wide (one per programme, not owned by an office), so no permission
held *in an office* fits them: ``OFFICE_MANAGE`` means administering one office. Changing the
rules of a programme is therefore reserved to administrators: users holding the role ``admin``
in any active office (``rules_admin``). Every signed-in user may read the rules.

Deciding eligibility needs "change case" or "approve case" in the case's office; overriding a
negative decision needs "approve case" there (a programme manager).
"""

from __future__ import annotations

from typing import Any

from wayhome.accounts.models import RoleGrant
from wayhome.accounts.permissions import Perm, Role
from wayhome.accounts.policies import has_perm


def rules_admin(user: Any) -> bool:
    """True for an active user holding the administrator role in some active office."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return RoleGrant.objects.filter(user=user, role=Role.ADMIN, office__is_active=True).exists()


def may_decide(user: Any, case: Any) -> bool:
    return has_perm(user, Perm.CASE_CHANGE, case.office_id) or has_perm(
        user, Perm.CASE_APPROVE, case.office_id
    )


def may_override(user: Any, case: Any) -> bool:
    return has_perm(user, Perm.CASE_APPROVE, case.office_id)
