"""Each rule kind, on plain facts: it passes, and it fails with its message."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from wayhome.eligibility.rules import (
    RULE_KINDS,
    Document,
    Facts,
    RuleResult,
    Traveller,
    check_rules,
    validate_rules,
    years_before,
)

DAY = datetime.date(2026, 3, 1)
ADULT = Traveller("Principal applicant (1)", adult=True)


def facts(**changes: object) -> Facts:
    values: dict[str, object] = {
        "on": DAY,
        "category": "stranded",
        "destination_country": "IQ",
        "destination_region": "IQ-BG",
        "travellers": (ADULT,),
    }
    values.update(changes)
    return Facts(**values)  # type: ignore[arg-type]


def run(kind: str, params: Any, case_facts: Facts) -> list[RuleResult]:
    return check_rules({kind: validate_rules({kind: params})[kind]}, case_facts)


def test_allowed_categories() -> None:
    [passed] = run("allowed_categories", {"categories": ["stranded"]}, facts())
    assert passed.passed
    assert "Stranded migrant" in passed.message
    [failed] = run("allowed_categories", {"categories": ["irregular"]}, facts())
    assert not failed.passed
    assert (
        failed.message
        == "The migrant category “Stranded migrant” is not covered by this programme."
    )


def test_excluded_categories() -> None:
    [passed] = run("excluded_categories", {"categories": ["regular"]}, facts())
    assert passed.passed
    [failed] = run("excluded_categories", {"categories": ["regular"]}, facts(category="regular"))
    assert not failed.passed
    assert failed.message == (
        "This programme excludes the migrant category “Regular migrant wishing to return”."
    )


def test_allowed_destinations() -> None:
    rule = {"countries": ["IQ", "ng"], "excluded_regions": ["IQ-AN"]}
    [passed] = run("allowed_destinations", rule, facts())
    assert passed.passed
    [other_country] = run("allowed_destinations", rule, facts(destination_country="SY"))
    assert not other_country.passed
    assert other_country.message == "Returns to SY are not covered by this programme."
    [region] = run("allowed_destinations", rule, facts(destination_region="IQ-AN"))
    assert not region.passed
    assert "IQ-AN are excluded" in region.message
    [unknown_region] = run("allowed_destinations", rule, facts(destination_region=""))
    assert not unknown_region.passed
    assert "record the region of return" in unknown_region.message
    # No country listed: every country, only the excluded regions apply.
    [anywhere] = run("allowed_destinations", {"countries": []}, facts(destination_country="SY"))
    assert anywhere.passed


def test_not_assisted_within_years() -> None:
    spouse = Traveller("Spouse or partner (2)", adult=True, departures=(datetime.date(2023, 5, 1),))
    old = Traveller("Child (3)", adult=False, departures=(datetime.date(2019, 5, 1),))
    [passed] = run("not_assisted_within_years", {"years": 5}, facts(travellers=(ADULT, old)))
    assert passed.passed
    assert passed.message == "Nobody travelling was assisted to return in the last 5 years."
    [failed] = run("not_assisted_within_years", {"years": 5}, facts(travellers=(ADULT, spouse)))
    assert not failed.passed
    assert failed.subject == "Spouse or partner (2)"
    assert failed.message == "Was assisted to return in 2023, less than 5 years ago."
    # Exactly N years before the decision date is outside the window.
    edge = Traveller("Principal applicant (1)", adult=True, departures=(years_before(DAY, 2),))
    [on_edge] = run("not_assisted_within_years", {"years": 2}, facts(travellers=(edge,)))
    assert on_edge.passed


def test_required_documents_for_adults_and_children() -> None:
    rule = {"kinds": ["passport"], "match": "all"}
    passport = Document("passport", DAY)
    expired = Document("passport", DAY - datetime.timedelta(days=1))
    birth = Document("birth_certificate")
    holder = Traveller("Principal applicant (1)", adult=True, documents=(passport,))
    child = Traveller("Child (2)", adult=False, documents=(birth,))
    [passed] = run("required_documents", rule, facts(travellers=(holder, child)))
    assert passed.passed
    assert passed.message == "Every traveller holds the documents required."
    lapsed = Traveller("Principal applicant (1)", adult=True, documents=(expired, birth))
    bare_child = Traveller("Child (2)", adult=False)
    failures = run("required_documents", rule, facts(travellers=(lapsed, bare_child)))
    assert [(r.passed, r.subject) for r in failures] == [
        (False, "Principal applicant (1)"),
        (False, "Child (2)"),
    ]
    assert failures[0].message == "Does not hold a valid Passport."
    assert failures[1].message == "Does not hold a valid Passport, nor a birth certificate."


def test_required_documents_all_or_any() -> None:
    national_id = Traveller(
        "Principal applicant (1)", adult=True, documents=(Document("national_id"),)
    )
    both = {"kinds": ["passport", "national_id"]}
    [failed] = run("required_documents", {**both, "match": "all"}, facts(travellers=(national_id,)))
    assert failed.message == "Does not hold a valid Passport."
    [passed] = run("required_documents", {**both, "match": "any"}, facts(travellers=(national_id,)))
    assert passed.passed
    nothing = Traveller("Principal applicant (1)", adult=True)
    [none] = run("required_documents", {**both, "match": "any"}, facts(travellers=(nothing,)))
    assert none.message == "Does not hold a valid Passport or National identity card."


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ([], "rules"),
        ({}, "rules"),
        ({"favourite_colour": {}}, "rules"),
        ({"allowed_categories": {"categories": []}}, "allowed_categories.categories"),
        ({"allowed_categories": {"categories": ["tourist"]}}, "allowed_categories.categories"),
        ({"allowed_categories": {"categories": "stranded"}}, "allowed_categories.categories"),
        (
            {"allowed_categories": {"colour": 1, "categories": ["stranded"]}},
            "allowed_categories.colour",
        ),
        ({"allowed_categories": []}, "allowed_categories"),
        ({"allowed_destinations": {"countries": ["XX"]}}, "allowed_destinations.countries"),
        (
            {"allowed_destinations": {"excluded_regions": ["IQ-99"]}},
            "allowed_destinations.excluded_regions",
        ),
        (
            {"allowed_destinations": {"countries": ["NG"], "excluded_regions": ["IQ-AN"]}},
            "allowed_destinations.excluded_regions",
        ),
        ({"not_assisted_within_years": {"years": 0}}, "not_assisted_within_years.years"),
        ({"not_assisted_within_years": {"years": "5"}}, "not_assisted_within_years.years"),
        ({"not_assisted_within_years": {"years": True}}, "not_assisted_within_years.years"),
        (
            {"required_documents": {"kinds": ["passport"], "match": "most"}},
            "required_documents.match",
        ),
        ({"required_documents": {"kinds": []}}, "required_documents.kinds"),
    ],
)
def test_bad_rules_get_field_errors(rules: object, field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_rules(rules)
    assert field in refused.value.message_dict


def test_rules_are_cleaned_and_every_kind_is_registered() -> None:
    assert set(RULE_KINDS) == {
        "allowed_categories",
        "allowed_destinations",
        "excluded_categories",
        "not_assisted_within_years",
        "required_documents",
    }
    cleaned = validate_rules(
        {
            "allowed_destinations": {"countries": ["ng", "NG", " iq"]},
            "required_documents": {"kinds": ["passport"]},
        }
    )
    assert cleaned == {
        "allowed_destinations": {"countries": ["IQ", "NG"], "excluded_regions": []},
        "required_documents": {"kinds": ["passport"], "match": "all"},
    }


def test_a_kind_no_longer_known_fails_rather_than_passing() -> None:
    [result] = check_rules({"retired_rule": {}}, facts())
    assert not result.passed
    assert "no longer known" in result.message
