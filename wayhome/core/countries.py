"""ISO 3166-1 countries, with names in the active language (pycountry's translations)."""

from __future__ import annotations

import gettext
from functools import cache

import pycountry
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

COUNTRY_CODES: frozenset[str] = frozenset(c.alpha_2 for c in pycountry.countries)


@cache
def _translator(language: str) -> gettext.NullTranslations:
    try:
        return gettext.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
        )
    except OSError:
        return gettext.NullTranslations()


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    language = translation.get_language() or "en"
    return _translator(language.split("-")[0]).gettext(country.name)


def country_choices() -> list[tuple[str, str]]:
    return sorted(((code, country_name(code)) for code in COUNTRY_CODES), key=lambda c: c[1])


def validate_country(value: str) -> None:
    if value not in COUNTRY_CODES:
        raise ValidationError(
            _("%(value)s is not an ISO 3166-1 two-letter country code."),
            code="invalid_country",
            params={"value": value},
        )


SUBDIVISION_CODES: frozenset[str] = frozenset(s.code for s in pycountry.subdivisions)


def validate_subdivision(value: str) -> None:
    """An ISO 3166-2 code (``IQ-BG``)."""
    if value not in SUBDIVISION_CODES:
        raise ValidationError(
            _("%(value)s is not an ISO 3166-2 region code."),
            code="invalid_region",
            params={"value": value},
        )


def subdivision_name(code: str) -> str:
    subdivision = pycountry.subdivisions.get(code=code)
    return subdivision.name if subdivision is not None else code
