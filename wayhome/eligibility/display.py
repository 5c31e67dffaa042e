"""Rules in words, for the pages (what each version of a programme's rules says)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from wayhome.cases.models import MigrantCategory
from wayhome.eligibility.rules import RULE_KINDS
from wayhome.people.models import IdentityDocument


def _labels(choices: list[tuple[str, Any]], values: list[str]) -> str:
    names = dict(choices)
    return ", ".join(str(names.get(value, value)) for value in values)


def describe(kind: str, params: dict[str, Any]) -> str:
    if kind in ("allowed_categories", "excluded_categories"):
        return _labels(MigrantCategory.choices, params.get("categories", []))
    if kind == "allowed_destinations":
        countries = " ".join(params.get("countries", [])) or _("every country")
        regions = " ".join(params.get("excluded_regions", []))
        if regions:
            return _("%(countries)s; regions excluded: %(regions)s") % {
                "countries": countries,
                "regions": regions,
            }
        return countries
    if kind == "not_assisted_within_years":
        return _("%(years)s years") % {"years": params.get("years")}
    if kind == "required_documents":
        documents = _labels(IdentityDocument.Kind.choices, params.get("kinds", []))
        if params.get("match") == "any":
            return _("at least one of: %(documents)s") % {"documents": documents}
        return _("every one of: %(documents)s") % {"documents": documents}
    return str(params)


def rules_in_words(rules: dict[str, Any]) -> list[dict[str, str]]:
    """[{"kind", "label", "text"}] in the order the kinds are registered."""
    rows = []
    for kind, params in rules.items():
        rule_kind = RULE_KINDS.get(kind)
        label = str(rule_kind.label) if rule_kind else kind
        rows.append({"kind": kind, "label": label, "text": describe(kind, params)})
    order = list(RULE_KINDS)
    return sorted(rows, key=lambda row: order.index(row["kind"]) if row["kind"] in order else 99)


def rule_label(kind: str) -> str:
    rule_kind = RULE_KINDS.get(kind)
    return str(rule_kind.label) if rule_kind else kind
