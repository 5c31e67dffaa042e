"""The rules of a plan's budget, as plain functions (no database): converting lines into the
cap's currency at the rates given at approval, and checking the totals against the programme's
caps per person and per household.

Conversions are exact (``Decimal`` products, never rounded before the comparison), so that a
plan over its cap by a fraction of a cent is over its cap. A line in a currency without a rate
cannot be converted, and a plan with such a line cannot be approved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wayhome.core.money import CENT

#: A rate has at most this many digits (e.g. 0.000152 or 655.957).
RATE_MAX_DIGITS = 18


@dataclass(frozen=True)
class Cap:
    currency: str
    per_person: Decimal
    per_household: Decimal


@dataclass(frozen=True)
class Amount:
    """A line's amount, in its currency, and who it is for (``None``: the whole household)."""

    amount: Decimal
    currency: str
    beneficiary: Any = None


@dataclass(frozen=True)
class Problem:
    code: str
    message: str | Promise


@dataclass
class Check:
    """The outcome of ``check``: the exact total in the cap currency and what is wrong."""

    total: Decimal = Decimal(0)
    by_beneficiary: dict[Any, Decimal] = field(default_factory=dict)
    limit: Decimal = Decimal(0)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def total_rounded(self) -> Decimal:
        """The total for display and storage: rounded *up* to the cent (never flatters)."""
        return self.total.quantize(CENT, rounding=ROUND_UP)


def parse_rate(raw: object) -> Decimal:
    """A positive exchange rate, or ValueError."""
    try:
        rate = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError("not a number") from exc
    if not rate.is_finite() or rate <= 0:
        raise ValueError("not positive")
    if len(rate.as_tuple().digits) > RATE_MAX_DIGITS:
        raise ValueError("too many digits")
    return rate


def currencies_needing_rates(lines: Iterable[Amount], cap_currency: str) -> list[str]:
    return sorted({line.currency for line in lines if line.currency != cap_currency})


def convert(line: Amount, cap_currency: str, rates: Mapping[str, Decimal]) -> Decimal | None:
    if line.currency == cap_currency:
        return line.amount
    rate = rates.get(line.currency)
    return None if rate is None else line.amount * rate


def check(
    lines: Iterable[Amount],
    cap: Cap,
    rates: Mapping[str, Decimal],
    *,
    household: bool,
    persons: int,
    others_total: Decimal = Decimal(0),
) -> Check:
    """Converts ``lines`` and checks them against ``cap``.

    An individual plan may spend at most the cap per person. A household plan at most the cap
    per household and at most the cap per person times the number of people in it, and no line
    attributed to one person takes that person over the cap per person. ``others_total`` is what
    the case's other plans were approved for (individual plans of one household share its cap).
    """
    result = Check()
    lines = list(lines)
    missing = [c for c in currencies_needing_rates(lines, cap.currency) if c not in rates]
    for currency in missing:
        result.problems.append(
            Problem(
                "rate_missing",
                _("Give the exchange rate from %(currency)s to %(cap)s.")
                % {"currency": currency, "cap": cap.currency},
            )
        )
    per: dict[Any, Decimal] = defaultdict(Decimal)
    for line in lines:
        value = convert(line, cap.currency, rates)
        if value is None:
            continue
        result.total += value
        if line.beneficiary is not None:
            per[line.beneficiary] += value
    result.by_beneficiary = dict(per)
    if missing:
        return result
    if household:
        result.limit = min(cap.per_household, cap.per_person * max(persons, 1))
    else:
        result.limit = cap.per_person
    if result.total > result.limit:
        result.problems.append(
            Problem(
                "over_cap",
                _(
                    "The plan comes to %(total)s %(currency)s, over its cap of %(limit)s "
                    "%(currency)s."
                )
                % {
                    "total": result.total_rounded,
                    "limit": result.limit,
                    "currency": cap.currency,
                },
            )
        )
    over = [who for who, value in per.items() if value > cap.per_person]
    if over:
        result.problems.append(
            Problem(
                "over_person_cap",
                _("The assistance for one person is over the cap per person (%(limit)s %(c)s).")
                % {"limit": cap.per_person, "c": cap.currency},
            )
        )
    if not household and result.total + others_total > cap.per_household:
        result.problems.append(
            Problem(
                "over_household_cap",
                _(
                    "With the household's other plans this comes to more than the cap per "
                    "household (%(limit)s %(c)s)."
                )
                % {"limit": cap.per_household, "c": cap.currency},
            )
        )
    return result
