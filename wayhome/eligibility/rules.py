"""Eligibility rule kinds: each a small pure function of its parameters and the case's facts.

A rule set (``models.RuleSet``) keeps its rules as data: a JSON object whose keys are rule kinds
and whose values are each kind's parameters, for example::

    {
        "allowed_categories": {"categories": ["stranded", "irregular"]},
        "allowed_destinations": {"countries": [], "excluded_regions": ["IQ-AN"]},
        "excluded_categories": {"categories": ["regular"]},
        "not_assisted_within_years": {"years": 5},
        "required_documents": {"kinds": ["passport"], "match": "all"},
    }

That is the schema, defined here in code: ``validate_rules`` accepts exactly the registered kinds,
each with the parameters its ``clean`` function accepts, and answers field errors keyed
``"<kind>.<parameter>"``. A kind is added by writing its ``clean`` and ``check`` functions and
calling ``register``; nothing else changes (the pages draw a form per registered kind).

``check`` functions never touch the database: ``evaluation.case_facts`` gathers what they need
(``Facts``) and ``evaluation.evaluate`` calls them, so each rule is tested on plain values.

Parameters, per kind:

- ``allowed_categories``: ``categories``, the migrant categories the programme covers (at least
  one). Fails when the case's category is not among them.
- ``excluded_categories``: ``categories``, categories the programme excludes (for example
  ``regular``). Fails when the case's category is among them.
- ``allowed_destinations``: ``countries``, the ISO 3166-1 countries of return allowed (empty: every
  country); ``excluded_regions``, ISO 3166-2 regions excluded within them. A case going to a
  country with excluded regions must record its region, or the rule fails (we cannot tell).
- ``not_assisted_within_years``: ``years`` (1 to 50). Fails for each traveller who, or whose
  linked records (``people.links.linked_person_ids``), departed on another assisted return less
  than that many years before the decision date.
- ``required_documents``: ``kinds``, identity document kinds; ``match``, ``all`` (each kind) or
  ``any`` (one of them). Every adult traveller must hold them, unexpired on the decision date (a
  document without an expiry date does not expire). A child (under 18 on the decision date) passes
  with the same documents or, instead, a birth certificate. A traveller whose date of birth is not
  recorded is treated as an adult (the stricter rule).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wayhome.cases.models import MigrantCategory
from wayhome.core.countries import validate_country, validate_subdivision
from wayhome.people.models import IdentityDocument

ADULT_AGE = 18

Params = dict[str, Any]


@dataclass(frozen=True)
class RuleResult:
    """One rule's verdict, in a caseworker's words. ``subject`` names the traveller it is about
    by a label such as "Spouse (2)", never by name."""

    kind: str
    passed: bool
    message: str
    subject: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "passed": self.passed,
            "message": self.message,
            "subject": self.subject,
        }


@dataclass(frozen=True)
class Document:
    kind: str
    expires_on: datetime.date | None = None

    def valid_on(self, day: datetime.date) -> bool:
        return self.expires_on is None or self.expires_on >= day


@dataclass(frozen=True)
class Traveller:
    label: str  # "Principal applicant (1)", "Spouse (2)": never a name
    adult: bool
    documents: tuple[Document, ...] = ()
    departures: tuple[datetime.date, ...] = ()  # earlier assisted returns (this or linked records)


@dataclass(frozen=True)
class Facts:
    """What the rules look at, gathered from a case on the decision date."""

    on: datetime.date
    category: str
    destination_country: str
    destination_region: str = ""
    travellers: tuple[Traveller, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class RuleKind:
    kind: str
    label: str | Promise
    clean: Callable[[Any], Params]  # raises ValidationError({"<param>": ...})
    check: Callable[[Params, Facts], list[RuleResult]]


RULE_KINDS: dict[str, RuleKind] = {}


def register(rule_kind: RuleKind) -> RuleKind:
    if rule_kind.kind in RULE_KINDS:
        raise ValueError(f"rule kind {rule_kind.kind!r} is already registered")
    RULE_KINDS[rule_kind.kind] = rule_kind
    return rule_kind


# --- helpers ------------------------------------------------------------------------------------


def _object(params: Any, allowed: set[str]) -> Params:
    if not isinstance(params, dict):
        raise ValidationError(_("Give the rule's settings as an object."), code="invalid")
    unknown = set(params) - allowed
    if unknown:
        raise ValidationError(
            {name: _("This setting is not known for this rule.") for name in sorted(unknown)}
        )
    return params


def _choices(params: Params, name: str, choices: list[str], *, required: bool) -> list[str]:
    value = params.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError({name: _("Give a list of values.")}, code="invalid")
    unknown = [item for item in value if item not in choices]
    if unknown:
        raise ValidationError({name: _("Choose from the values offered.")}, code="invalid_choice")
    if required and not value:
        raise ValidationError({name: _("Choose at least one.")}, code="required")
    return sorted(set(value), key=choices.index)


def _codes(params: Params, name: str, validate: Callable[[str], None]) -> list[str]:
    value = params.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError({name: _("Give a list of codes.")}, code="invalid")
    codes = sorted({item.strip().upper() for item in value})
    errors = []
    for code in codes:
        try:
            validate(code)
        except ValidationError as exc:
            errors.extend(exc.error_list)
    if errors:
        raise ValidationError({name: errors})
    return codes


def _category_label(value: str) -> str:
    return str(dict(MigrantCategory.choices).get(value, value))


def _document_label(value: str) -> str:
    return str(dict(IdentityDocument.Kind.choices).get(value, value))


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


# --- allowed_categories -------------------------------------------------------------------------


def clean_categories(params: Any) -> Params:
    params = _object(params, {"categories"})
    return {"categories": _choices(params, "categories", MigrantCategory.values, required=True)}


def check_allowed_categories(params: Params, facts: Facts) -> list[RuleResult]:
    label = _category_label(facts.category)
    if facts.category in params["categories"]:
        message = _("The migrant category “%(category)s” is covered by this programme.")
        return [RuleResult("allowed_categories", True, str(message % {"category": label}))]
    message = _("The migrant category “%(category)s” is not covered by this programme.")
    return [RuleResult("allowed_categories", False, str(message % {"category": label}))]


# --- excluded_categories ------------------------------------------------------------------------


def check_excluded_categories(params: Params, facts: Facts) -> list[RuleResult]:
    label = _category_label(facts.category)
    if facts.category in params["categories"]:
        message = _("This programme excludes the migrant category “%(category)s”.")
        return [RuleResult("excluded_categories", False, str(message % {"category": label}))]
    message = _("The migrant category “%(category)s” is not excluded.")
    return [RuleResult("excluded_categories", True, str(message % {"category": label}))]


# --- allowed_destinations -----------------------------------------------------------------------


def clean_destinations(params: Any) -> Params:
    params = _object(params, {"countries", "excluded_regions"})
    errors: dict[str, Any] = {}
    cleaned: Params = {}
    for name, validate in (
        ("countries", validate_country),
        ("excluded_regions", validate_subdivision),
    ):
        try:
            cleaned[name] = _codes(params, name, validate)
        except ValidationError as exc:
            errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    countries = cleaned["countries"]
    outside = [r for r in cleaned["excluded_regions"] if countries and r[:2] not in countries]
    if outside:
        raise ValidationError(
            {"excluded_regions": _("Exclude only regions of the countries allowed.")},
            code="region_outside",
        )
    return cleaned


def check_allowed_destinations(params: Params, facts: Facts) -> list[RuleResult]:
    kind = "allowed_destinations"
    country, region = facts.destination_country, facts.destination_region
    countries, excluded = params["countries"], params["excluded_regions"]
    if countries and country not in countries:
        message = _("Returns to %(country)s are not covered by this programme.")
        return [RuleResult(kind, False, str(message % {"country": country}))]
    if region and region in excluded:
        message = _("Returns to the region %(region)s are excluded from this programme.")
        return [RuleResult(kind, False, str(message % {"region": region}))]
    if not region and any(code.startswith(f"{country}-") for code in excluded):
        message = _(
            "Some regions of %(country)s are excluded: record the region of return to decide."
        )
        return [RuleResult(kind, False, str(message % {"country": country}))]
    place = region or country
    message = _("Returns to %(place)s are covered by this programme.")
    return [RuleResult(kind, True, str(message % {"place": place}))]


# --- not_assisted_within_years ------------------------------------------------------------------


def clean_years(params: Any) -> Params:
    params = _object(params, {"years"})
    years = params.get("years")
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 50:
        raise ValidationError({"years": _("Give a whole number of years from 1 to 50.")})
    return {"years": years}


def check_not_assisted_within_years(params: Params, facts: Facts) -> list[RuleResult]:
    kind, years = "not_assisted_within_years", params["years"]
    since = years_before(facts.on, years)
    results = []
    for traveller in facts.travellers:
        recent = [day for day in traveller.departures if day > since]
        if recent:
            message = _("Was assisted to return in %(year)s, less than %(years)s years ago.")
            text = str(message % {"year": max(recent).year, "years": years})
            results.append(RuleResult(kind, False, text, traveller.label))
    if results:
        return results
    message = _("Nobody travelling was assisted to return in the last %(years)s years.")
    return [RuleResult(kind, True, str(message % {"years": years}))]


# --- required_documents -------------------------------------------------------------------------


def clean_documents(params: Any) -> Params:
    params = _object(params, {"kinds", "match"})
    kinds = _choices(params, "kinds", IdentityDocument.Kind.values, required=True)
    match = params.get("match", "all")
    if match not in ("all", "any"):
        raise ValidationError({"match": _("Choose “all” or “any”.")}, code="invalid_choice")
    return {"kinds": kinds, "match": match}


def _holds(traveller: Traveller, kinds: list[str], match: str, on: datetime.date) -> list[str]:
    """The kinds still missing (for ``any``: all of them when none is held)."""
    held = {document.kind for document in traveller.documents if document.valid_on(on)}
    missing = [kind for kind in kinds if kind not in held]
    if match == "any" and len(missing) < len(kinds):
        return []
    return missing


def check_required_documents(params: Params, facts: Facts) -> list[RuleResult]:
    kind, kinds, match = "required_documents", params["kinds"], params["match"]
    results = []
    for traveller in facts.travellers:
        missing = _holds(traveller, kinds, match, facts.on)
        if not missing:
            continue
        birth_certificate = IdentityDocument.Kind.BIRTH_CERTIFICATE
        if not traveller.adult and not _holds(traveller, [birth_certificate], "all", facts.on):
            continue
        separator = str(_(" or ")) if match == "any" else ", "
        names = separator.join(_document_label(k) for k in missing)
        if traveller.adult:
            message = _("Does not hold a valid %(documents)s.")
        else:
            message = _("Does not hold a valid %(documents)s, nor a birth certificate.")
        text = str(message % {"documents": names})
        results.append(RuleResult(kind, False, text, traveller.label))
    if results:
        return results
    return [RuleResult(kind, True, str(_("Every traveller holds the documents required.")))]


register(
    RuleKind(
        "allowed_categories",
        _("Migrant categories covered"),
        clean_categories,
        check_allowed_categories,
    )
)
register(
    RuleKind(
        "allowed_destinations",
        _("Countries and regions of return covered"),
        clean_destinations,
        check_allowed_destinations,
    )
)
register(
    RuleKind(
        "excluded_categories",
        _("Migrant categories excluded"),
        clean_categories,
        check_excluded_categories,
    )
)
register(
    RuleKind(
        "not_assisted_within_years",
        _("Not assisted to return within the last years"),
        clean_years,
        check_not_assisted_within_years,
    )
)
register(
    RuleKind(
        "required_documents",
        _("Documents every adult traveller must hold"),
        clean_documents,
        check_required_documents,
    )
)


def validate_rules(rules: Any) -> dict[str, Params]:
    """The rules cleaned (codes upper-cased, lists de-duplicated), or a ValidationError whose
    keys are ``"<kind>.<parameter>"`` (or ``"rules"`` for the whole)."""
    if not isinstance(rules, dict):
        raise ValidationError({"rules": _("Give the rules as an object keyed by rule kind.")})
    unknown = sorted(set(rules) - set(RULE_KINDS))
    if unknown:
        message = _("Unknown rule kind: %(kinds)s.") % {"kinds": ", ".join(unknown)}
        raise ValidationError({"rules": message}, code="unknown_kind")
    if not rules:
        raise ValidationError({"rules": _("Choose at least one rule.")}, code="required")
    cleaned: dict[str, Params] = {}
    errors: dict[str, Any] = {}
    for kind in RULE_KINDS:
        if kind not in rules:
            continue
        try:
            cleaned[kind] = RULE_KINDS[kind].clean(rules[kind])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, items in exc.error_dict.items():
                    errors[f"{kind}.{name}"] = items
            else:
                errors[kind] = exc.error_list
    if errors:
        raise ValidationError(errors)
    return cleaned


def check_rules(rules: dict[str, Params], facts: Facts) -> list[RuleResult]:
    """Every rule's results, in the order the kinds are registered. A kind no longer known fails
    (the rules would otherwise pass silently)."""
    results: list[RuleResult] = []
    for kind in rules:
        if kind not in RULE_KINDS:
            message = _("This rule is no longer known: ask an administrator to update the rules.")
            results.append(RuleResult(kind, False, str(message)))
    for kind, rule_kind in RULE_KINDS.items():
        if kind in rules:
            results.extend(rule_kind.check(rules[kind], facts))
    return results
