"""Demo surveys for ``seed_demo``: the follow-up schedule of the demo host offices (a baseline at
arrival, then 6 and 12 months after) for every programme, and interviews with their scores for a
few demo cases after arrival (found as ``reintegration/demo.py`` finds them: a host office's case
after arrival with an ``Arrival``): a baseline at arrival for most, a refusal and an unreachable
attempt, and a later phone check for two, so that their trajectories have two points. Made
through the services; answers are drawn at random (fixed seed). DEMO DATA ONLY."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from wayhome.accounts.models import Office
from wayhome.cases.models import Case, Programme
from wayhome.cases.workflow import Status
from wayhome.movements.models import Arrival
from wayhome.surveys import scoring, services
from wayhome.surveys.models import (
    Consent,
    Instrument,
    Interview,
    Mode,
    Outcome,
    ScheduleItem,
)

S = Status
HOST_OFFICES = ["de-ber", "gr-ath"]
AFTER_ARRIVAL = [S.ARRIVED, S.REINTEGRATION_PLANNING, S.REINTEGRATION_ASSISTANCE, S.MONITORING]
SCHEDULE = [("Baseline at arrival", 0), ("6 months", 182), ("12 months", 365)]
INSTRUMENT = "rss"


def seed_surveys(ctx: Any) -> int:
    """The schedules (what is missing of them), and the interviews unless the demo has some."""
    instrument = Instrument.objects.filter(code=INSTRUMENT).first()
    if instrument is None or services.published_version(instrument) is None:
        return 0
    with transaction.atomic():
        made = _schedules(instrument)
        if not Interview.objects.exists():
            made += _interviews(instrument)
    return made


def _schedules(instrument: Instrument) -> int:
    made = 0
    for office in Office.objects.filter(code__in=HOST_OFFICES):
        for programme in Programme.values:
            for name, days in SCHEDULE:
                if ScheduleItem.objects.filter(
                    office=office, programme=programme, name=name
                ).exists():
                    continue
                services.schedule_item_create(
                    actor=None,
                    office=office,
                    programme=programme,
                    instrument=instrument,
                    name=name,
                    days_after_arrival=days,
                )
                made += 1
    return made


def _answers(definition: scoring.Definition, rng: random.Random, lift: int = 0) -> dict[str, str]:
    """An answer to each question: mostly a scored option (better ones with ``lift``), now and
    then "don't know"."""
    chosen = {}
    for question in definition.questions:
        scored = sorted(
            (o for o in question.options if o.score is not None), key=lambda o: o.score or 0
        )
        unscored = [o for o in question.options if o.score is None]
        if unscored and rng.random() < 0.08:
            chosen[question.code] = unscored[0].value
            continue
        index = min(len(scored) - 1, rng.randrange(len(scored)) + lift)
        chosen[question.code] = scored[index].value
    return chosen


def _interviews(instrument: Instrument) -> int:
    rng = random.Random(66)  # noqa: S311 (synthetic demo data)
    today = timezone.localdate()
    version = services.published_version(instrument)
    if version is None:
        return 0
    definition = version.parsed
    cases = (
        Case.objects.filter(
            office__code__in=HOST_OFFICES, status__in=AFTER_ARRIVAL, arrival__isnull=False
        )
        .select_related("office")
        .order_by("reference")[:8]
    )
    made = 0
    for n, case in enumerate(cases):
        arrived_on = Arrival.objects.get(case=case).arrived_on
        principal = case.members.filter(travelling=True).order_by("created_at", "id").first()
        baseline = ScheduleItem.objects.filter(
            office=case.office, programme=case.programme, name=SCHEDULE[0][0], active=True
        ).first()
        if principal is None or baseline is None:
            continue
        common: dict[str, Any] = {
            "actor": None,
            "case": case,
            "member": principal,
            "schedule_item": baseline,
            "conducted_on": min(today, arrived_on + datetime.timedelta(days=rng.randint(0, 3))),
        }
        if n == 5:
            services.interview_record(
                **common, mode=Mode.PHONE, consent=Consent.REFUSED, outcome=Outcome.REFUSED
            )
            made += 1
            continue
        if n == 6:
            services.interview_record(
                **common, mode=Mode.PHONE, consent="", outcome=Outcome.UNREACHABLE
            )
            made += 1
            continue
        services.interview_record(
            **common,
            mode=Mode.VISIT if n % 2 else Mode.PHONE,
            consent=Consent.GIVEN,
            outcome=Outcome.COMPLETED,
            answers=_answers(definition, rng),
            notes="Baseline interview at the reception (demo)",
        )
        made += 1
        if n < 2 and common["conducted_on"] < today:
            services.interview_record(
                actor=None,
                case=case,
                member=principal,
                instrument=instrument,
                conducted_on=today,
                mode=Mode.PHONE,
                consent=Consent.GIVEN,
                outcome=Outcome.COMPLETED,
                answers=_answers(definition, rng, lift=1),
                notes="Phone check after the first assistance (demo)",
            )
            made += 1
    return made
