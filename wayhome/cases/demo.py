"""Synthetic cases for the demo (``manage.py seed_demo``): about 200 cases in the Berlin and
Athens offices, spread over every status, some with families. Names come from the people demo's
pools; nothing is a real person. Deterministic, and idempotent: nothing is added when the demo
offices hold cases already.

Cases move through ``case_transition`` like in life. Where a guard that another app registers
(voluntariness and consent before submission, eligibility before approval) refuses a move
because the demo has not recorded what it needs, the seed records the move directly instead
(``_record_directly``): DEMO DATA ONLY, so that the demo shows cases at every status.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from wayhome.accounts.models import Office, User
from wayhome.audit.services import audit_record
from wayhome.cases.models import Case, CaseTransition, MigrantCategory, Programme, Relationship
from wayhome.cases.services import TransitionBlocked, case_create, case_transition
from wayhome.cases.workflow import Status
from wayhome.people.demo import _ARABIC, _POOLS
from wayhome.people.models import Person
from wayhome.people.services import person_create

S = Status

_FORWARD_PATH: list[Status] = [
    S.REGISTERED,
    S.COUNSELLING,
    S.APPLICATION_SUBMITTED,
    S.APPROVED,
    S.TRAVEL_PREPARATION,
    S.READY_TO_DEPART,
    S.DEPARTED,
    S.ARRIVED,
    S.REINTEGRATION_PLANNING,
    S.REINTEGRATION_ASSISTANCE,
    S.MONITORING,
    S.CLOSED,
]
# Where a case ends up leaving the forward path: (the step before, the side step).
_SIDE_PATHS: dict[Status, Status] = {
    S.WITHDRAWN: S.COUNSELLING,
    S.REJECTED: S.APPLICATION_SUBMITTED,
    S.ON_HOLD: S.COUNSELLING,
}
# How many demo cases end in each status (200 in all).
DEMO_CASES_BY_STATUS: dict[Status, int] = {
    S.REGISTERED: 30,
    S.COUNSELLING: 30,
    S.APPLICATION_SUBMITTED: 20,
    S.APPROVED: 15,
    S.TRAVEL_PREPARATION: 12,
    S.READY_TO_DEPART: 8,
    S.DEPARTED: 5,
    S.ARRIVED: 8,
    S.REINTEGRATION_PLANNING: 10,
    S.REINTEGRATION_ASSISTANCE: 12,
    S.MONITORING: 10,
    S.CLOSED: 15,
    S.WITHDRAWN: 10,
    S.REJECTED: 8,
    S.ON_HOLD: 7,
}
# Country of return (the pool's nationality) -> (regions, places)
_DESTINATIONS: dict[str, tuple[list[str], list[str]]] = {
    "NG": (["NG-LA", "NG-ED", "NG-KN"], ["Ikeja", "Benin City", "Kano"]),
    "SN": (["SN-DK", "SN-TH", "SN-ZG"], ["Pikine", "Thiès", "Ziguinchor"]),
    "IQ": (["IQ-BG", "IQ-NI", "IQ-BA"], ["الكرادة", "الموصل", "البصرة"]),
    "ER": (["ER-MA", "ER-DK"], ["Asmara", "Keren"]),
}
_CATEGORIES = [
    MigrantCategory.REJECTED_ASYLUM_SEEKER,
    MigrantCategory.REJECTED_ASYLUM_SEEKER,
    MigrantCategory.IRREGULAR,
    MigrantCategory.STRANDED,
    MigrantCategory.REGULAR,
    MigrantCategory.VICTIM_OF_TRAFFICKING,
    MigrantCategory.HEALTH_NEEDS,
]
_FUNDING = ["AMIF", "National programme", "EU-IOM Joint Initiative", ""]
_REASONS = {
    S.WITHDRAWN: "The applicant decided to stay and apply for another permit.",
    S.REJECTED: "Not eligible: regular status under the current rules.",
    S.ON_HOLD: "Waiting for a travel document from the consulate.",
}


def _path_to(target: Status) -> list[Status]:
    if target in _SIDE_PATHS:
        before = _SIDE_PATHS[target]
        return [*_FORWARD_PATH[1 : _FORWARD_PATH.index(before) + 1], target]
    return _FORWARD_PATH[1 : _FORWARD_PATH.index(target) + 1]


def _demo_user(role: str) -> User | None:
    from wayhome.core.management.commands.seed_demo import demo_email

    return User.objects.filter(email=demo_email(role)).first()


def _person(rng: random.Random, office: Office, pool: int, *, born: datetime.date) -> Person:
    given_names, family_names, script, nationalities = _POOLS[pool]
    given, family = rng.choice(given_names), rng.choice(family_names)
    return person_create(
        actor=None,
        office=office,
        given_name=given,
        family_name=family,
        name_as_written=f"{_ARABIC[given]} {_ARABIC[family]}" if script == "arabic" else "",
        date_of_birth=born,
        sex=rng.choice([Person.Sex.FEMALE, Person.Sex.MALE]),
        nationality=nationalities[0],
    )


def _record_directly(case: Case, target: Status, actor: Any, reason: str) -> Case:
    """DEMO DATA ONLY: records a move that a guard of another app refused because the demo has
    not recorded what that guard needs (sessions, declarations, an eligibility decision)."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        source = locked.status
        if target == S.ON_HOLD:
            locked.held_from = source
        if target == S.APPLICATION_SUBMITTED:
            locked.submitted_by = actor
        locked.status = target
        locked.status_changed_at = timezone.now()
        locked.version += 1
        locked.save()
        CaseTransition.objects.create(
            case=locked, source=source, target=target, actor=actor, reason=reason
        )
        audit_record(
            actor=actor,
            action="case.transition",
            obj=locked,
            details={"from": source, "to": target, "demo": True},
        )
    return locked


def _move(case: Case, target: Status, actor: Any, reason: str) -> Case:
    try:
        return case_transition(actor=actor, case=case, target=target, reason=reason)
    except TransitionBlocked:
        return _record_directly(case, target, actor, reason)


def _backdate(case: Case, opened: datetime.datetime, rng: random.Random) -> None:
    """Spreads the demo case's history over time, so that the queue has old and new cases."""
    moment = opened
    for step in case.transitions.order_by("id"):
        moment += datetime.timedelta(days=rng.randint(2, 25), hours=rng.randint(0, 8))
        moment = min(moment, timezone.now())
        CaseTransition.objects.filter(pk=step.pk).update(occurred_at=moment)
    Case.objects.filter(pk=case.pk).update(created_at=opened, status_changed_at=moment)


def seed_cases(ctx: Any) -> int:
    """Opens the demo cases in Berlin and Athens unless they hold cases already."""
    offices = list(Office.objects.filter(code__in=["de-ber", "gr-ath"]).order_by("code"))
    caseworker, manager = _demo_user("caseworker"), _demo_user("manager")
    if len(offices) < 2 or caseworker is None or manager is None:
        return 0
    if Case.objects.filter(office__in=offices).exists():
        return 0
    rng = random.Random(4242)  # noqa: S311 (synthetic demo data, not a secret)
    targets = [status for status, n in DEMO_CASES_BY_STATUS.items() for _ in range(n)]
    now = timezone.now()
    for number, target in enumerate(targets):
        office = offices[number % 2]
        pool = number % len(_POOLS)
        country = _POOLS[pool][3][0]
        regions, places = _DESTINATIONS[country]
        adult = datetime.date(1970, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 35))
        principal = _person(rng, office, pool, born=adult)
        members: list[tuple[Person, str]] = []
        if number % 4 == 0:  # a family: a spouse and one or two children
            spouse = _person(rng, office, pool, born=adult + datetime.timedelta(days=400))
            members.append((spouse, Relationship.SPOUSE))
            for child in range(1 + number % 8 // 4):
                born = datetime.date(2012 + child * 3, 1 + number % 12, 1 + number % 28)
                members.append((_person(rng, office, pool, born=born), Relationship.CHILD))
        case = case_create(
            actor=caseworker,
            office=office,
            principal=principal,
            members=members,
            programme=rng.choice([Programme.AVRR, Programme.AVRR, Programme.AVR]),
            category=rng.choice(_CATEGORIES),
            destination_country=country,
            destination_region=rng.choice(regions),
            destination_place=rng.choice(places),
            assigned_to=caseworker if number % 5 else None,
            funding_source=rng.choice(_FUNDING),
        )
        for step in _path_to(target):
            actor = manager if step in (S.APPROVED, S.REJECTED) else caseworker
            case = _move(case, step, actor, _REASONS.get(step, ""))
        _backdate(case, now - datetime.timedelta(days=rng.randint(5, 400)), rng)
    return len(targets)
