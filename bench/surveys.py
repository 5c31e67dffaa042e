"""How long the surveys views and the public portal's checks take on a large programme: the
follow-ups due, the scoring of one interview, the distributions of scores, a public status check
of a feedback report and the rate limiter in front of it. Runs on a throwaway test database.

    WAYHOME_DATABASE_URL=postgres://postgres@127.0.0.1:55437/wayhome_bench \\
        .venv/bin/python bench/surveys.py [cases]      (default 2000)

Builds ``cases`` arrived cases (AVRR) in one office, arrived over the last two years and
returning to five countries, with the three active follow-ups of the office and programme
(baseline at arrival, 6 and 12 months: 0, 182, 365 days after arrival, under the shipped RSS),
a completed baseline interview with its current score set for every third case (scores computed
once for 50 answer sets and reused), ``cases`` feedback reports and ``cases`` rate counts of
other clients, and times, best of 5:
- ``selectors.followups`` of a reintegration officer (the open follow-ups of the office), and
  ``selectors.followups_due`` (the home page's counts, without the members' labels);
- ``scoring.score`` of the shipped RSS definition on ``cases`` random complete answer sets;
- ``selectors.results`` of an M&E officer (the composite, by country, programme and cohort);
- ``feedback.services.feedback_by_code`` (the public status check) of one report;
- ``core.ratelimit.hit``, 200 calls (one counted request each).
The user's grants are dropped before each call, so that they are read as in a request. The
limit of each is the bare work behind it: one raw ``SELECT`` of the arrival dates of the office's
cases (follow-ups); the same weighted means in plain floats (scoring: the cost of exactness);
one raw ``SELECT composite FROM surveys_scoreset WHERE current`` (distributions); the report's
row by reference through the ORM (status check); one raw ``UPDATE ... SET count = count + 1`` by
primary key per call (rate limiter).
"""

from __future__ import annotations

import datetime
import os
import random
import sys
import time
from collections.abc import Mapping
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from timing import bare, best, report  # noqa: E402

from wayhome.accounts.models import Office, RoleGrant, User  # noqa: E402
from wayhome.accounts.permissions import Role  # noqa: E402
from wayhome.accounts.policies import forget_permissions  # noqa: E402
from wayhome.cases.models import Case, CaseMember  # noqa: E402
from wayhome.cases.workflow import Status  # noqa: E402
from wayhome.core import ratelimit  # noqa: E402
from wayhome.core.crypto import blind_index  # noqa: E402
from wayhome.core.models import RateCount  # noqa: E402
from wayhome.feedback import services as feedback_services  # noqa: E402
from wayhome.feedback.models import Channel, Feedback, Kind  # noqa: E402
from wayhome.movements.models import Arrival, ConfirmedBy  # noqa: E402
from wayhome.people.models import Person  # noqa: E402
from wayhome.surveys import scoring, selectors  # noqa: E402
from wayhome.surveys.models import (  # noqa: E402
    Consent,
    Instrument,
    InstrumentVersion,
    Interview,
    Mode,
    Outcome,
    ScheduleItem,
    ScoreReason,
    ScoreSet,
    VersionStatus,
)

COUNTRIES = ("NG", "GH", "SN", "IQ", "AF")
SCHEDULE = (("Baseline at arrival", 0), ("6 months", 182), ("12 months", 365))
SECRET = "K7PQ-X3MZ-A8DD"  # noqa: S105 (a benchmark's report secret)
SCORED_SETS = 50
RATE_CALLS = 200
RATE = ratelimit.Limit(count=10**9, seconds=86400)


def rss() -> scoring.Definition:
    return scoring.parse(next(d for d in scoring.shipped() if d.get("code") == "rss"))


def complete_answers(definition: scoring.Definition, rng: random.Random) -> dict[str, str]:
    """An answer with a score to every question."""
    return {
        q.code: rng.choice([o.value for o in q.options if o.score is not None])
        for q in definition.questions
    }


def build(count: int, definition: scoring.Definition) -> tuple[User, User, str]:
    office = Office.objects.create(code="bench", name="Bench", country="DE")
    officer = User.objects.create(email="ro@example.org", full_name="RO")
    RoleGrant.objects.create(user=officer, office=office, role=Role.REINTEGRATION)
    analyst = User.objects.create(email="me@example.org", full_name="ME")
    RoleGrant.objects.create(user=analyst, office=office, role=Role.ME_OFFICER)
    instrument = Instrument.objects.get(code="rss")
    version = InstrumentVersion.objects.get(instrument=instrument, status=VersionStatus.PUBLISHED)
    items = [
        ScheduleItem.objects.create(
            office=office,
            programme="AVRR",
            instrument=instrument,
            name=name,
            days_after_arrival=days,
            window_days=30,
        )
        for name, days in SCHEDULE
    ]
    now = timezone.now()
    today = timezone.localdate()
    people = Person.objects.bulk_create(
        [
            Person(
                office=office,
                given_name=f"Given{n}",
                family_name=f"Family{n}",
                nationality=COUNTRIES[n % len(COUNTRIES)],
            )
            for n in range(count)
        ]
    )
    cases = Case.objects.bulk_create(
        [
            Case(
                reference=f"BENCH-{n:06d}",
                office=office,
                programme="AVRR",
                category="stranded",
                status=Status.REINTEGRATION_ASSISTANCE if n % 4 else Status.ARRIVED,
                principal=people[n],
                destination_country=COUNTRIES[n % len(COUNTRIES)],
                funding_source=f"Donor {n % 5}",
                status_changed_at=now,
            )
            for n in range(count)
        ]
    )
    members = CaseMember.objects.bulk_create(
        [
            CaseMember(case=case, person=people[n], relationship="principal")
            for n, case in enumerate(cases)
        ]
    )
    arrivals = Arrival.objects.bulk_create(
        [
            Arrival(
                case=case,
                arrived_on=today - datetime.timedelta(days=(n * 7) % 730),
                confirmed_by=ConfirmedBy.ORIGIN_OFFICE,
                reception_details="",
                office=office,
            )
            for n, case in enumerate(cases)
        ]
    )
    rng = random.Random(6)
    answer_sets = [complete_answers(definition, rng) for _ in range(SCORED_SETS)]
    scored = [scoring.score(definition, answers) for answers in answer_sets]
    interviews = Interview.objects.bulk_create(
        [
            Interview(
                office=office,
                case=case,
                member=members[n],
                schedule_item=items[0],
                instrument_version=version,
                mode=Mode.PHONE,
                interviewer=officer,
                conducted_on=arrivals[n].arrived_on,
                consent=Consent.GIVEN,
                outcome=Outcome.COMPLETED,
                answers=answer_sets[n % SCORED_SETS],
                recorded_by=officer,
            )
            for n, case in enumerate(cases)
            if n % 3 == 0
        ]
    )
    ScoreSet.objects.bulk_create(
        [
            ScoreSet(
                interview=interview,
                instrument_version=version,
                values=scored[n % SCORED_SETS].as_json(),
                composite=scored[n % SCORED_SETS].composite,
                current=True,
                reason=ScoreReason.INITIAL,
                computed_by=officer,
            )
            for n, interview in enumerate(interviews)
        ]
    )
    digest = feedback_services.secret_digest(SECRET)
    reports = Feedback.objects.bulk_create(
        [
            Feedback(
                office=office,
                reference=feedback_services.new_reference(),
                secret_digest=digest,
                kind=Kind.FEEDBACK,
                message=f"The waiting room was cold, message {n}.",
                language="en",
                channel=Channel.PORTAL,
                submitted_at=now,
                due_on=today + datetime.timedelta(days=14),
            )
            for n in range(count)
        ]
    )
    start = ratelimit._window_start(now, RATE.seconds)
    RateCount.objects.bulk_create(
        [
            RateCount(
                scope="bench",
                key=blind_index("rate-limit:bench", f"address:198.51.100.{n}"),
                window_start=start,
                count=1,
            )
            for n in range(count)
        ]
    )
    return officer, analyst, reports[count // 2].reference


class Plain:
    """The RSS scores in plain floats: the same means, no fractions, no decimals."""

    def __init__(self, definition: scoring.Definition) -> None:
        self.share = float(definition.min_share)
        self.places = definition.rounding
        self.questions = [
            (
                q.code,
                q.indicator,
                {o.value: None if o.score is None else float(o.score) for o in q.options},
            )
            for q in definition.questions
        ]
        self.indicators = [(i.code, i.dimension, float(i.weight)) for i in definition.indicators]
        self.dimensions = [(d.code, float(d.weight)) for d in definition.dimensions]

    def mean(self, parts: list[tuple[float | None, float]]) -> float | None:
        total = sum(weight for _value, weight in parts)
        present = [(value, weight) for value, weight in parts if value is not None]
        weight = sum(w for _value, w in present)
        if total <= 0 or weight <= 0 or weight < self.share * total:
            return None
        return sum(value * w for value, w in present) / weight

    def score(self, answers: Mapping[str, str]) -> float | None:
        values: dict[str, list[tuple[float | None, float]]] = {
            code: [] for code, _d, _w in self.indicators
        }
        for code, indicator, options in self.questions:
            values[indicator].append((options.get(answers.get(code, "")), 1.0))
        indicators = {code: self.mean(parts) for code, parts in values.items()}
        dimensions = {
            code: self.mean(
                [(indicators[i], weight) for i, of, weight in self.indicators if of == code]
            )
            for code, _weight in self.dimensions
        }
        composite = self.mean([(dimensions[code], weight) for code, weight in self.dimensions])
        return None if composite is None else round(composite, self.places)


def rate(name: str, seconds: float, calls: int, queries: int, limit: float) -> None:
    print(
        f"{name}: {calls / seconds:,.0f}/s ({seconds / calls * 1e6:.0f} us each), "
        f"{queries / calls:.0f} queries each; limit {calls / limit:,.0f}/s "
        f"({limit / calls * 1e6:.1f} us); ratio {seconds / limit:.0f}x"
    )


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    definition = rss()
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        started = time.perf_counter()
        officer, analyst, reference = build(count, definition)
        print(f"built {count} cases in {time.perf_counter() - started:.1f} s ({connection.vendor})")

        def followups() -> list[selectors.FollowUp]:
            forget_permissions(officer)
            return selectors.followups(officer)

        seconds, queries, found = best(followups)
        office = Office.objects.get(code="bench")
        limit = bare(
            "SELECT a.arrived_on FROM movements_arrival a JOIN cases_case c ON c.id = a.case_id "
            "WHERE c.office_id = %s",
            [office.pk],
        )
        report(f"follow-ups ({len(found)} open)", seconds, queries, limit)

        def counts() -> dict[str, int]:
            forget_permissions(officer)
            return selectors.followups_due(officer)

        seconds, queries, due = best(counts)
        report(f"follow-up counts of the home page ({due})", seconds, queries, limit)

        rng = random.Random(7)
        answer_sets = [complete_answers(definition, rng) for _ in range(count)]
        plain = Plain(definition)
        for answers in answer_sets[:200]:
            exact = scoring.score(definition, answers).composite
            assert exact is not None
            approximate = plain.score(answers)
            assert approximate is not None
            assert abs(float(exact) - approximate) < 0.0101
        seconds, queries, _scores = best(
            lambda: [scoring.score(definition, answers) for answers in answer_sets]
        )
        limit = best(lambda: [plain.score(answers) for answers in answer_sets])[0]
        rate(f"scoring ({len(definition.questions)} questions)", seconds, count, queries, limit)

        limit = bare("SELECT composite FROM surveys_scoreset WHERE current", [])
        for by in selectors.GROUP_BY:

            def distribution(by: str = by) -> tuple[selectors.Group, list[selectors.Group]]:
                forget_permissions(analyst)
                return selectors.results(analyst, instrument="rss", dimension="composite", by=by)

            seconds, queries, (overall, groups) = best(distribution)
            report(
                f"results by {by} ({overall.count} scores, {len(groups)} groups)",
                seconds,
                queries,
                limit,
            )

        seconds, queries, shown = best(
            lambda: feedback_services.feedback_by_code(reference.lower(), SECRET)
        )
        assert shown is not None
        assert shown.reference == reference
        limit = best(lambda: Feedback.objects.filter(reference=reference).first())[0]
        report(f"status check among {count} reports", seconds, queries, limit)

        ratelimit.hit("bench", "address:203.0.113.9", RATE)
        seconds, queries, _within = best(
            lambda: [ratelimit.hit("bench", "address:203.0.113.9", RATE) for _ in range(RATE_CALLS)]
        )
        row = RateCount.objects.get(
            scope="bench", key=blind_index("rate-limit:bench", "address:203.0.113.9")
        )

        def updates() -> None:
            with connection.cursor() as cursor:
                for _ in range(RATE_CALLS):
                    cursor.execute(
                        "UPDATE core_ratecount SET count = count + 1 WHERE id = %s", [row.pk]
                    )

        limit = best(updates)[0]
        rate("rate limiter hit", seconds, RATE_CALLS, queries, limit)
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)


if __name__ == "__main__":
    main()
