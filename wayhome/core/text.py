"""Checks on free text typed by people: no control characters (they hide text, break exports
and terminals), except newlines in multi-line fields. Every script is welcome as it is."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 (tab included), DEL and C1. Newline and carriage return are allowed only where
# the field has several lines.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    return bool((_CONTROL_MULTILINE if multiline else _CONTROL).search(value))


def validate_single_line(value: str) -> None:
    if has_control_characters(value):
        raise ValidationError(
            _("Remove the control characters (invisible characters or line breaks)."),
            code="control_characters",
        )


def validate_multiline(value: str) -> None:
    if has_control_characters(value, multiline=True):
        raise ValidationError(
            _("Remove the control characters (invisible characters)."), code="control_characters"
        )
