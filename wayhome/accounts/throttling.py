"""Login throttling (django-axes): which account a sign-in attempt is counted against."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The e-mail address an attempt was made for, normalised as sign-in normalises it.

    axes would otherwise look for a field named like ``USERNAME_FIELD`` ("email"), which the
    sign-in form does not send, and count nothing. Normalising (trim, lower case) stops an attacker
    from getting a fresh allowance by changing the case of the address.
    """
    raw = (credentials or {}).get("username")
    if raw is None:
        raw = request.POST.get("username")
    if raw is None:
        return None
    return str(raw).strip().lower() or None
