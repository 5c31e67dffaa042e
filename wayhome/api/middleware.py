"""Gives every error under /api/v1/ the one error shape.

The API's own exception handlers shape what operations raise (wayhome/api/errors.py). This
middleware shapes the rest: Django's 404 for an unknown route, the 405 of a wrong method, and the
500 of an unhandled exception (whose page, in DEBUG, would hold a stack trace). The original body
is dropped, never copied.

It also refuses (422) a request whose query or JSON body holds a NUL character, before any
operation runs: PostgreSQL cannot store or compare one in text, so it would otherwise end as a
server error wherever such a value reaches a query (found by tests/security/test_schemathesis.py);
Django's forms refuse it the same way on the pages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from django.http import HttpRequest, HttpResponse

from wayhome.api.errors import error_response, is_shaped

API_PREFIX = "/api/v1/"
#: A NUL in a JSON text: ``\u0000`` escaped, not preceded by an escaping backslash.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)


def _fields_with_nul(value: Any, path: str = "") -> list[str]:
    """The dotted names of the strings (and keys) holding a NUL in a parsed JSON value."""
    if isinstance(value, str):
        return [path] if "\x00" in value else []
    if isinstance(value, list):
        return [
            found
            for i, item in enumerate(value)
            for found in _fields_with_nul(item, f"{path}.{i}".lstrip("."))
        ]
    if isinstance(value, dict):
        return [
            found
            for key, item in value.items()
            for found in (
                [f"{path}.{key}".lstrip(".")]
                if "\x00" in key
                else _fields_with_nul(item, f"{path}.{key}".lstrip("."))
            )
        ]
    return []


def _nul_refused(request: HttpRequest) -> HttpResponse | None:
    """A 422 naming where a NUL character was sent, or None."""
    details: list[dict[str, Any]] = [
        {"location": "query", "field": name}
        for name, values in request.GET.lists()
        if "\x00" in name or any("\x00" in value for value in values)
    ]
    if request.content_type == "application/json" and _JSON_NUL.search(request.body):
        try:
            body = json.loads(request.body)
        except ValueError:
            body = None  # malformed: the API answers 400 for that
        details += [{"location": "body", "field": field} for field in _fields_with_nul(body)]
    if not details:
        return None
    message = str(ProhibitNullCharactersValidator.message)
    for detail in details:
        detail.update(message=message, type="control_characters")  # as the text fields say
    return error_response(422, details=details)


class ApiErrorShapeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            refused = _nul_refused(request)
            if refused is not None:
                return refused
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(API_PREFIX)
            or is_shaped(response)
        ):
            return response
        shaped = error_response(response.status_code)
        for header in ("Allow", "Retry-After", "X-Request-ID"):
            if header in response:
                shaped[header] = response[header]
        return shaped
