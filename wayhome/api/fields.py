"""What the apps' API schemas and operations share: typed text fields and the caller."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from wayhome.core.text import validate_multiline, validate_single_line


def _text_check(check: Callable[[str], None]) -> Callable[[str], str]:
    """A pydantic validator from a Django one: a field error typed by the Django error's code
    (``control_characters``)."""

    def validate(value: str) -> str:
        try:
            check(value)
        except DjangoValidationError as exc:
            raise PydanticCustomError(exc.code or "invalid", str(exc.messages[0])) from None
        return value

    return validate


#: Free text typed by people: no control characters (line breaks too in ``SingleLine``).
SingleLine = Annotated[str, AfterValidator(_text_check(validate_single_line))]
MultiLine = Annotated[str, AfterValidator(_text_check(validate_multiline))]


def api_user(request: HttpRequest) -> Any:
    """The user whose bearer token authenticated the request."""
    return request.auth.user  # type: ignore[attr-defined]
