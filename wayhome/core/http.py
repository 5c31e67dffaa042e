"""Small helpers for views: where to go back to after a page, safely."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest) -> str:
    """The ``next`` the request carries (POST first, then GET) if it stays on this site;
    otherwise "". Never an absolute URL to another host, never a scheme such as javascript:."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def add_query(url: str, name: str, value: str) -> str:
    """``url`` with ``name=value`` appended to its query string (values already there stay)."""
    parts = urlsplit(url)
    added = urlencode({name: value})
    return urlunsplit(parts._replace(query=f"{parts.query}&{added}" if parts.query else added))


def is_partial(request: HttpRequest) -> bool:
    """An HTMX request for a part of a page (not a history restore, which wants the whole)."""
    htmx: Any = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def no_store(response: HttpResponse) -> HttpResponse:
    """Marks a response holding personal data as never to be cached (browser or proxy)."""
    response["Cache-Control"] = "no-store"
    return response
