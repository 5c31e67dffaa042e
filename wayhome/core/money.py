"""Money: ISO 4217 currency codes and amounts, shared by travel allowances and reintegration
budgets."""

from __future__ import annotations

from decimal import Decimal

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CURRENCY_CODES: frozenset[str] = frozenset(c.alpha_3 for c in pycountry.currencies)

#: Amounts are stored with two decimal places, up to 12 digits before the point.
MAX_DIGITS = 14
DECIMAL_PLACES = 2
CENT = Decimal("0.01")


def validate_currency(value: str) -> None:
    if value not in CURRENCY_CODES:
        raise ValidationError(
            _("Enter an ISO 4217 currency code (for example EUR)."), code="invalid_currency"
        )
