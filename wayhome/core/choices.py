"""A list of codes from a fixed vocabulary (topics covered, flags, conditions, services), stored
as JSON: one check, each field giving its own words."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.core.exceptions import ValidationError


def check_code_list(
    value: object,
    allowed: Collection[str],
    *,
    invalid: Any,
    unknown: Any,
    duplicate: Any,
    required: Any = None,
    unknown_code: str = "invalid_choice",
) -> None:
    """Refuses anything but a list of distinct codes of ``allowed`` (non-empty when ``required``
    gives the message), with the error codes ``invalid``, ``required``, ``unknown_code`` and
    ``duplicate``."""
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(invalid, code="invalid")
    if required is not None and not value:
        raise ValidationError(required, code="required")
    if any(code not in allowed for code in value):
        raise ValidationError(unknown, code=unknown_code)
    if len(set(value)) != len(value):
        raise ValidationError(duplicate, code="duplicate")
