"""What statistics can be broken down by: the dimensions of ``ReturnFact``, their codes, labels,
order, the codes whose cells need the stricter disclosure threshold, and their HXL hashtags.

Every key is a string code (a country code, ``"2026-03"`` for a month, ``"18-24"`` for an age
group); labels are looked up in the reader's language when a table is drawn. ``""`` is the code
of "not known" in every dimension.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F
from django.db.models.functions import TruncMonth, TruncQuarter, TruncYear
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wayhome.cases.models import MigrantCategory, Programme
from wayhome.cases.workflow import Status
from wayhome.core import regions
from wayhome.core.countries import country_name, subdivision_name
from wayhome.people.models import Person

UNKNOWN = ""

# --- age groups --------------------------------------------------------------------------------

#: (code, lowest age, highest age or None) in order; the groups of IOM's yearly figures.
AGE_GROUPS: tuple[tuple[str, int, int | None], ...] = (
    ("0-4", 0, 4),
    ("5-11", 5, 11),
    ("12-17", 12, 17),
    ("18-24", 18, 24),
    ("25-59", 25, 59),
    ("60+", 60, None),
)
CHILD_AGE_GROUPS: frozenset[str] = frozenset({"0-4", "5-11", "12-17"})


def age_on(born: datetime.date, day: datetime.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_group(born: datetime.date | None, day: datetime.date) -> str:
    """The age group of someone born on ``born`` on ``day`` (``""`` when not known)."""
    if born is None or born > day:
        return UNKNOWN
    age = age_on(born, day)
    for code, low, high in AGE_GROUPS:
        if age >= low and (high is None or age <= high):
            return code
    return UNKNOWN  # pragma: no cover - the last group is open-ended


# --- the main vulnerability ---------------------------------------------------------------------

#: One group per person so that a table by vulnerability adds up: the first that applies, in this
#: order (a child victim of trafficking counts under trafficking).
VULNERABILITY: dict[str, Promise] = {
    "trafficking": _("Victim of trafficking"),
    "unaccompanied_child": _("Unaccompanied or separated child"),
    "health": _("Health-related needs"),
    "other": _("Other vulnerability"),
    "none": _("No vulnerability recorded"),
}


# --- dimensions ---------------------------------------------------------------------------------


def _period_key(kind: str) -> Callable[[Any], str]:
    def key(value: Any) -> str:
        if value is None:
            return UNKNOWN
        day = value.date() if isinstance(value, datetime.datetime) else value
        if kind == "month":
            return f"{day:%Y-%m}"
        if kind == "quarter":
            return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
        return f"{day.year}"

    return key


def _choice_label(choices: Any) -> Callable[[str], str]:
    def label(code: str) -> str:
        return str(choices(code).label) if code in choices.values else code

    return label


def _dict_label(labels: dict[str, Promise]) -> Callable[[str], str]:
    def label(code: str) -> str:
        return str(labels[code]) if code in labels else code

    return label


def _same(code: str) -> str:
    return code


@dataclass(frozen=True)
class Dimension:
    name: str
    label: Promise
    expression: Any  # a field name of ReturnFact or a database expression
    label_of: Callable[[str], str] = _same
    #: Every code in order, shown even when its count is 0; None: the codes found, by label.
    codes: Callable[[], Sequence[str]] | None = None
    key_of: Callable[[Any], str] = lambda value: UNKNOWN if value is None else str(value)
    #: Codes whose cells are published only above the stricter threshold.
    sensitive: frozenset[str] = field(default_factory=frozenset)
    #: HXL hashtag and attributes of the column (``+code`` or ``+name`` is added on export).
    hxl: str = "#meta"
    #: Whether the export has a code column besides the label (countries, offices...).
    coded: bool = False

    def label_for(self, code: str) -> str:
        if code == UNKNOWN:
            return str(_("Not known"))
        return self.label_of(code)


def _office_label(code: str) -> str:
    from wayhome.accounts.models import Office

    name = Office.objects.filter(code=code).values_list("name", flat=True).first()
    return name or code


SENSITIVE_CATEGORIES = frozenset(
    {
        MigrantCategory.VICTIM_OF_TRAFFICKING,
        MigrantCategory.UNACCOMPANIED_CHILD,
        MigrantCategory.HEALTH_NEEDS,
    }
)
SENSITIVE_VULNERABILITY = frozenset({"trafficking", "unaccompanied_child", "health"})

DIMENSIONS: dict[str, Dimension] = {
    dimension.name: dimension
    for dimension in (
        Dimension(
            "month",
            _("Month of departure"),
            TruncMonth("departure_date"),
            key_of=_period_key("month"),
            hxl="#date+departure",
        ),
        Dimension(
            "quarter",
            _("Quarter of departure"),
            TruncQuarter("departure_date"),
            key_of=_period_key("quarter"),
            hxl="#date+departure",
        ),
        Dimension(
            "year",
            _("Year of departure"),
            TruncYear("departure_date"),
            key_of=_period_key("year"),
            hxl="#date+departure",
        ),
        Dimension(
            "office",
            _("Host office"),
            F("office__code"),
            label_of=_office_label,
            hxl="#org+office",
            coded=True,
        ),
        Dimension(
            "host_country",
            _("Host country"),
            "host_country",
            label_of=country_name,
            hxl="#country+host",
            coded=True,
        ),
        Dimension(
            "origin_country",
            _("Country of origin"),
            "origin_country",
            label_of=country_name,
            hxl="#country+origin",
            coded=True,
        ),
        Dimension(
            "origin_region",
            _("Region of origin (within the country)"),
            "origin_region",
            label_of=subdivision_name,
            hxl="#adm1+origin",
            coded=True,
        ),
        Dimension(
            "origin_area",
            _("World region of origin"),
            "origin_area",
            label_of=regions.area_label,
            hxl="#region+origin",
            coded=True,
        ),
        Dimension(
            "programme",
            _("Programme"),
            "programme",
            label_of=_choice_label(Programme),
            codes=lambda: list(Programme.values),
            hxl="#activity+programme",
            coded=True,
        ),
        Dimension(
            "category",
            _("Migrant category"),
            "category",
            label_of=_choice_label(MigrantCategory),
            codes=lambda: list(MigrantCategory.values),
            sensitive=frozenset(str(code) for code in SENSITIVE_CATEGORIES),
            hxl="#beneficiary+type",
            coded=True,
        ),
        Dimension(
            "sex",
            _("Sex"),
            "sex",
            label_of=_choice_label(Person.Sex),
            codes=lambda: list(Person.Sex.values),
            hxl="#meta+sex",
        ),
        Dimension(
            "age_group",
            _("Age group"),
            "age_group",
            codes=lambda: [code for code, _low, _high in AGE_GROUPS] + [UNKNOWN],
            sensitive=CHILD_AGE_GROUPS,
            hxl="#meta+age",
        ),
        Dimension(
            "vulnerability",
            _("Main vulnerability"),
            "vulnerability",
            label_of=_dict_label(VULNERABILITY),
            codes=lambda: list(VULNERABILITY),
            sensitive=SENSITIVE_VULNERABILITY,
            hxl="#meta+vulnerability",
            coded=True,
        ),
        Dimension(
            "status",
            _("Case status"),
            "status",
            label_of=_choice_label(Status),
            codes=lambda: list(Status.values),
            hxl="#status",
            coded=True,
        ),
        Dimension(
            "funding_source",
            _("Funding source"),
            "funding_source",
            hxl="#org+funder",
        ),
    )
}


def dimension(name: str) -> Dimension:
    """The dimension called ``name`` (KeyError for an unknown name)."""
    return DIMENSIONS[name]
