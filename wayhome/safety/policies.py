"""Who may maintain the register and who decides case by case.

The register is organisation-wide (no office owns a restriction), so maintaining it needs
``RESTRICTION_MANAGE`` in any office (``may_manage``). Every signed-in user may read it. Allowing
a case's return under a case-by-case restriction needs ``CASE_APPROVE`` in the case's office.
"""

from __future__ import annotations

from typing import Any

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm, has_perm_anywhere


def may_manage(user: Any) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and has_perm_anywhere(user, Perm.RESTRICTION_MANAGE)
    )


def may_decide(user: Any, case: Any) -> bool:
    return user is not None and has_perm(user, Perm.CASE_APPROVE, case.office_id)
