"""Applying a rule set to a case: gather the case's facts, then run the pure rule functions.

``case_facts`` reads the case, its travelling members, their documents and earlier assisted
returns (of the person and of the records linked to them, ``people.links.linked_person_ids``).
Models of ``cases`` are looked up through ``django.apps`` so that this module does not import
``cases`` at import time beyond the models module the rules already need.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.apps import apps
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from wayhome.eligibility.rules import (
    ADULT_AGE,
    Document,
    Facts,
    RuleResult,
    Traveller,
    check_rules,
)
from wayhome.people.links import linked_person_ids

# A case in one of these statuses has departed; a closed case has if it went through departed.
AFTER_DEPARTURE = (
    "departed",
    "arrived",
    "reintegration_planning",
    "reintegration_assistance",
    "monitoring",
)


def member_label(relationship_label: str, position: int) -> str:
    """ "Spouse or partner (2)": the member's relationship and place on the case, never a name."""
    return f"{relationship_label} ({position})"


def member_labels(case: Any) -> list[tuple[Any, str]]:
    """(member, label) for every member of the case, in the case's order."""
    return [
        (member, member_label(str(member.get_relationship_display()), position))
        for position, member in enumerate(case.members.select_related("person"), start=1)
    ]


def _is_adult(born: datetime.date | None, on: datetime.date) -> bool:
    if born is None:
        return True  # not recorded: the stricter rule applies
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return age >= ADULT_AGE


def earlier_departures(person: Any, *, exclude_case_id: Any) -> tuple[datetime.date, ...]:
    """When this person (or a record linked to them) departed on another assisted return."""
    case_model = apps.get_model("cases", "Case")
    transition_model = apps.get_model("cases", "CaseTransition")
    departed = transition_model.objects.filter(case=OuterRef("pk"), target="departed").order_by(
        "-occurred_at"
    )
    cases = (
        case_model.objects.filter(members__person_id__in=linked_person_ids(person))
        .exclude(pk=exclude_case_id)
        .filter(Q(status__in=AFTER_DEPARTURE) | Q(status="closed", transitions__target="departed"))
        .annotate(departed_at=Subquery(departed.values("occurred_at")[:1]))
        .distinct()
    )
    days = []
    for departed_at, changed_at in cases.values_list("departed_at", "status_changed_at"):
        moment = departed_at or changed_at
        if moment is not None:
            days.append(timezone.localdate(moment))
    return tuple(sorted(days))


def case_facts(case: Any, on: datetime.date | None = None) -> Facts:
    on = on or timezone.localdate()
    travellers = []
    for member, label in member_labels(case):
        if not member.travelling:
            continue
        person = member.person
        documents = tuple(
            Document(kind, expires_on)
            for kind, expires_on in person.documents.values_list("kind", "expires_on")
        )
        travellers.append(
            Traveller(
                label=label,
                adult=_is_adult(person.date_of_birth, on),
                documents=documents,
                departures=earlier_departures(person, exclude_case_id=case.pk),
            )
        )
    return Facts(
        on=on,
        category=case.category,
        destination_country=case.destination_country,
        destination_region=case.destination_region,
        travellers=tuple(travellers),
    )


def case_basis(case: Any) -> dict[str, Any]:
    """What a decision depends on besides the rules: when it changes, decide again."""
    members = case.members.filter(travelling=True).values_list("person_id", flat=True)
    return {
        "programme": case.programme,
        "category": case.category,
        "destination_country": case.destination_country,
        "destination_region": case.destination_region,
        "travellers": sorted(str(person_id) for person_id in members),
    }


def evaluate(case: Any, ruleset: Any, *, on: datetime.date | None = None) -> list[RuleResult]:
    """Every rule of ``ruleset`` applied to ``case`` on ``on`` (today by default)."""
    return check_rules(ruleset.rules, case_facts(case, on))
