"""ISO 639 languages (two-letter codes where they exist, three-letter otherwise)."""

from __future__ import annotations

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

LANGUAGE_CODES: frozenset[str] = frozenset(
    code
    for language in pycountry.languages
    for code in (getattr(language, "alpha_2", None), language.alpha_3)
    if code
)


def validate_language(value: str) -> None:
    if value not in LANGUAGE_CODES:
        raise ValidationError(
            _("%(value)s is not an ISO 639 language code."),
            code="invalid_language",
            params={"value": value},
        )


def validate_languages(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(_("Give a list of language codes."), code="invalid")
    for code in value:
        validate_language(code)


def language_name(code: str) -> str:
    language = pycountry.languages.get(alpha_2=code) or pycountry.languages.get(alpha_3=code)
    return language.name if language is not None else code
