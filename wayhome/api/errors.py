"""The one error shape of the API: ``{"error": {"code": ..., "message": ..., "details": ...}}``.

The ninja exception handlers below shape what an operation raises; ``ApiErrorShapeMiddleware``
shapes what never reaches an operation (unknown routes, wrong methods, server errors). Messages
are generic and translated; details hold field names and reasons, never the values sent, and
never a stack trace.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from wayhome.cases.services import TransitionBlocked

# Marks a response as already in the error shape, so that the middleware leaves it alone.
SHAPED_ATTR = "_wayhome_error_shaped"

CODES: dict[int, tuple[str, Promise]] = {
    400: ("bad_request", _("The request could not be understood.")),
    401: ("unauthorized", _("A valid bearer token is required.")),
    403: ("forbidden", _("You may not do this.")),
    404: ("not_found", _("Not found.")),
    405: ("method_not_allowed", _("This method is not allowed here.")),
    409: ("conflict", _("The request conflicts with the current state of the record.")),
    413: ("payload_too_large", _("The request is too large.")),
    415: ("unsupported_media_type", _("This content type is not supported.")),
    422: ("validation_error", _("The request is not valid.")),
    429: ("too_many_requests", _("Too many requests. Try again later.")),
    500: ("server_error", _("Something went wrong on our side. It has been logged.")),
    503: ("unavailable", _("The service is unavailable. Try again later.")),
}
MALFORMED_JSON = ("malformed_json", _("The request body is not valid JSON."))
BEARER_CHALLENGE = 'Bearer realm="wayhome"'


def code_for(status: int) -> tuple[str, Promise]:
    if status in CODES:
        return CODES[status]
    return CODES[500] if status >= 500 else CODES[400]


def error_response(
    status: int,
    *,
    code: str | None = None,
    message: str | Promise | None = None,
    details: Any = None,
) -> JsonResponse:
    default_code, default_message = code_for(status)
    body = {
        "error": {
            "code": code or default_code,
            "message": str(message if message is not None else default_message),
            "details": details,
        }
    }
    response = JsonResponse(body, status=status)
    setattr(response, SHAPED_ATTR, True)
    if status == 401:
        response["WWW-Authenticate"] = BEARER_CHALLENGE
    return response


def is_shaped(response: HttpResponse) -> bool:
    """True when the response already carries the error shape."""
    if getattr(response, SHAPED_ATTR, False):
        return True
    if getattr(response, "streaming", False):
        return False
    if not response.get("Content-Type", "").startswith("application/json"):
        return False
    try:
        data = json.loads(response.content)
    except ValueError:
        return False
    return (
        isinstance(data, dict)
        and set(data) == {"error"}
        and isinstance(data["error"], dict)
        and {"code", "message", "details"} <= set(data["error"])
    )


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's errors without the values sent (``input``, ``ctx`` may hold personal data)."""
    result = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        location = loc[0] if loc else ""
        # ninja puts the operation's parameter name second for a body ("body", "payload", "x").
        path = loc[2:] if location == "body" and len(loc) > 2 else loc[1:]
        result.append(
            {
                "location": location,
                "field": ".".join(path),
                "message": str(error.get("msg", "")),
                "type": str(error.get("type", "")),
            }
        )
    return result


class RecordInvalid(Exception):
    """A model's validation failed (``django_validation_error`` builds it): answered 422."""

    def __init__(self, details: list[dict[str, Any]]) -> None:
        super().__init__("invalid")
        self.details = details


def django_validation_error(exc: DjangoValidationError) -> RecordInvalid:
    """Django's ``ValidationError`` (from a service's ``full_clean``) as field errors in the one
    shape. The value sent is never repeated: a message that would quote it says so instead."""
    details = []
    errors = exc.error_dict if hasattr(exc, "error_dict") else {"": exc.error_list}
    for field, items in errors.items():
        for item in items:
            params = dict(item.params or {})
            if "value" in params:
                params["value"] = _("The value given")
            message = str(item.message) % params if params else str(item.message)
            details.append(
                {
                    "location": "body",
                    "field": "" if field == "__all__" else field,
                    "message": message,
                    "type": item.code or "invalid",
                }
            )
    return RecordInvalid(details)


def invalid_field(
    field: str, message: str, code: str = "invalid", location: str = "body"
) -> RecordInvalid:
    """A 422 about one field of the request."""
    return RecordInvalid([{"location": location, "field": field, "message": message, "type": code}])


def run_service(
    call: Callable[[], Any],
    *,
    fields: dict[str, str] | None = None,
    refused: str = "You may not do this.",
) -> Any:
    """Runs a service for an operation: 403 when it refuses the user, 409 for a stale version
    (a whole-record ``ValidationError`` coded ``stale``), else 422 with the field errors, the
    service's field names renamed to the API's with ``fields``."""
    try:
        return call()
    except PermissionDenied:
        raise HttpError(403, refused) from None
    except DjangoValidationError as exc:
        if not hasattr(exc, "error_dict") and getattr(exc, "code", None) == "stale":
            raise HttpError(409, " ".join(str(m) for m in exc.messages)) from None
        shaped = django_validation_error(exc)
        for detail in shaped.details:
            detail["field"] = (fields or {}).get(detail["field"], detail["field"])
        raise shaped from None


def _record_invalid(request: HttpRequest, exc: Any) -> HttpResponse:
    return error_response(422, details=exc.details)


def _transition_blocked(request: HttpRequest, exc: Any) -> HttpResponse:
    """A refused case transition: 409 with every unmet condition, in a caseworker's words."""
    return error_response(
        409,
        code="transition_blocked",
        message=_("The case cannot move yet: see what is missing."),
        details=[unmet.as_dict() for unmet in exc.unmet],
    )


def _validation_error(request: HttpRequest, exc: Any) -> HttpResponse:
    return error_response(422, details=field_errors(exc.errors))


def _http_error(request: HttpRequest, exc: Any) -> HttpResponse:
    cause = exc.__cause__
    if exc.status_code == 400 and isinstance(cause, ValueError):
        # ninja wraps a body it cannot parse (json.JSONDecodeError, UnicodeDecodeError).
        return error_response(400, code=MALFORMED_JSON[0], message=MALFORMED_JSON[1])
    if isinstance(exc, AuthenticationError):
        custom = exc.message if exc.message != "Unauthorized" else None
        return error_response(401, message=custom)
    if isinstance(exc, AuthorizationError):
        return error_response(403)
    # Messages given by our own code (HttpError(409, _("..."))) are meant for the client.
    return error_response(exc.status_code, message=exc.message or None)


def _not_found(request: HttpRequest, exc: Any) -> HttpResponse:
    return error_response(404)


def _unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
    # Django logs it and answers 500; ApiErrorShapeMiddleware shapes that answer.
    raise exc


def install_error_handlers(api: NinjaAPI) -> None:
    api.add_exception_handler(ValidationError, _validation_error)
    api.add_exception_handler(RecordInvalid, _record_invalid)
    api.add_exception_handler(TransitionBlocked, _transition_blocked)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(Exception, _unexpected)
