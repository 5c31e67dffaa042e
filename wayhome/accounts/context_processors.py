from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from wayhome.accounts.permissions import Role
from wayhome.accounts.policies import has_perm_anywhere
from wayhome.accounts.selectors import office_list_for
from wayhome.core.navigation import NAVIGATION


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav_items": [item for item in NAVIGATION if item.shown_to(user, has_perm_anywhere)],
        "user_offices": office_list_for(user),
        "current_office": getattr(request, "office", None),
        "role_labels": dict(Role.choices),
    }
