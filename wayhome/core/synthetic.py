"""Synthetic data at scale, for benchmarks and load tests: ``manage.py generate_synthetic``.

NEVER ON A REAL DATABASE: the command refuses to run when ``WAYHOME_PRODUCTION`` is set.

``generate(options)`` makes ``cases`` complete AVRR cases, coherent with the rest of the app:
people registered by the case's host office (names from per-origin pools, with their spelling
in their own script and transliteration variants where the pool has them, an age pyramid, sex,
nationality, a passport for some), families of 1 to 8 with a principal applicant, the case's
path through the workflow (``cases/workflow.py``: every ``CaseTransition`` is an allowed move and
the last one is the case's status; most old cases closed, a pipeline in recent months), bookings
and arrivals of the cases that left, reintegration plans with budget lines (and deliveries) for
the AVRR cases that reached them, closures, follow-up survey interviews with their scores, and the
reporting facts (``ReturnFact``) of every member, computed here with the same helpers as
``reporting/facts.py`` so that the dashboard needs no rebuild. ``people_extra`` adds persons
without a case (to grow the register the duplicate check searches).

Personal values are encrypted in the project's format (``core/crypto.py``: the active key, a
fresh random nonce for every value, the field's associated data), and the blind indexes and the
duplicate-detection keys are computed with the project's own functions
(``crypto.name_index``, ``crypto.date_of_birth_index``, ``matching.bucket_keys`` and
``crypto.blind_index``), so search and duplicate detection find synthetic people as they find
real ones. Deterministic values (the index of a name, the blind index of a key) are cached;
ciphertexts never are.

Reproducible: every case is drawn from its own random generator, seeded from ``seed`` and the
case's number, and every id is drawn from it too, so the same seed, the same number of cases and
the same ``until`` give the same references, names, dates, statuses and ids, whatever the batch
size or the number of worker processes. ``until`` (default: today) is the last day of the data.

Fast: rows are built in memory and written per batch (one transaction each) with PostgreSQL
``COPY`` (psycopg 3), constraints and indexes in place, by ``workers`` processes (forked); on
SQLite with ``executemany``. No audit events are written (they are not data of the cases), and
the case-reference counters (``core/sequences.py``) are advanced so that the app keeps numbering
after the synthetic cases.
"""

from __future__ import annotations

import datetime
import gc
import hashlib
import hmac
import json
import multiprocessing
import os
import random
import time
import uuid
from array import array
from bisect import bisect
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import connection, connections, models, transaction
from django.utils import timezone

from wayhome.accounts.models import Office
from wayhome.cases.models import Case, CaseMember, CaseTransition, MigrantCategory, Programme
from wayhome.cases.models import Relationship as Rel
from wayhome.cases.workflow import Status
from wayhome.core import crypto, regions
from wayhome.core.fields import EncryptedField
from wayhome.core.models import Counter
from wayhome.core.sequences import next_value
from wayhome.core.synthetic_pools import (
    AFRICAN_HOSTS,
    AFRICAN_POOLS,
    DEFAULT_FUNDING,
    DEFAULT_HOSTS,
    DEFAULT_ORIGINS,
    FUNDING,
    LATAM,
    LINE_TEXT,
    ORIGINS,
    PLAN_NEEDS,
    NamePool,
)
from wayhome.movements.models import Arrival, Booking, BookingStatus, ConfirmedBy, Passenger
from wayhome.people import duplicates, matching
from wayhome.people.models import IdentityDocument, MatchKey, Person
from wayhome.reintegration.models import (
    CATEGORY_DIMENSION,
    BudgetLine,
    Closure,
    ClosureReason,
    Delivery,
    DeliveryMode,
    PaymentMethod,
    Plan,
    PlanStatus,
)
from wayhome.reporting import facts
from wayhome.reporting.dimensions import CHILD_AGE_GROUPS, age_group
from wayhome.reporting.models import TIMED_STATUSES, ReturnFact, days_field
from wayhome.surveys import scoring
from wayhome.surveys.models import (
    Consent,
    InstrumentVersion,
    Interview,
    Mode,
    Outcome,
    ScoreReason,
    ScoreSet,
    VersionStatus,
)

S = Status
DAY = 86_400
#: The order rows are written in (foreign keys first).
MODELS: tuple[type[models.Model], ...] = (
    Person,
    IdentityDocument,
    MatchKey,
    Case,
    CaseMember,
    CaseTransition,
    Booking,
    Passenger,
    Arrival,
    Closure,
    Plan,
    BudgetLine,
    Delivery,
    Interview,
    ScoreSet,
    ReturnFact,
)


class ProductionRefused(Exception):
    """Synthetic data is never written to a production database."""


@dataclass(frozen=True)
class Options:
    cases: int
    seed: int = 1
    batch: int = 1000
    office: str = ""  # an office code: every case in that office
    people_extra: int = 0
    until: datetime.date | None = None  # the last day of the data (default: today)
    years: int = 6  # how far back registrations go
    workers: int = 0  # 0: two on PostgreSQL, one on SQLite


@dataclass
class Result:
    cases: int = 0
    people: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0  # the whole run
    case_seconds: float = 0.0  # writing the cases (their people included)

    @property
    def rate(self) -> float:
        """Cases written per second."""
        return self.cases / self.case_seconds if self.case_seconds else 0.0


# --- encryption in the project's format, without per-value set-up ----------------------------


class _Sealer:
    """``crypto.encrypt`` for many values: the same stored format (header, 96-bit random nonce,
    AES-256-GCM under the active key, the associated data of ``crypto``), with the cipher and the
    associated data built once. Nonces come from ``os.urandom`` in blocks: each is used once."""

    _BLOCK = 12 * 8192

    def __init__(self) -> None:
        ring = crypto.key_ring()
        self.header = crypto._header(ring.active)
        self.cipher = AESGCM(ring.keys[ring.active])
        self.aad: dict[str, bytes] = {}
        self.pool = b""
        self.offset = 0
        self.pid = os.getpid()

    def seal(self, plaintext: bytes, context: str) -> bytes:
        aad = self.aad.get(context)
        if aad is None:
            aad = self.aad[context] = crypto._aad(self.header, context)
        if self.offset >= len(self.pool):
            self.pool, self.offset = os.urandom(self._BLOCK), 0
        nonce = self.pool[self.offset : self.offset + crypto.NONCE_SIZE]
        self.offset += crypto.NONCE_SIZE
        return self.header + nonce + self.cipher.encrypt(nonce, plaintext, aad)


_SEALER: _Sealer | None = None


def _sealer() -> _Sealer:
    """One per process (a forked worker never shares its parent's nonces)."""
    global _SEALER
    if _SEALER is None or _SEALER.pid != os.getpid():
        _SEALER = _Sealer()
    return _SEALER


# --- tables and writers -------------------------------------------------------------------------


class _Table:
    """How the rows of a model (dicts of attribute name to plain value) become database values."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.name = model._meta.db_table
        self.fields = [
            f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)
        ]
        self.columns = [f.column for f in self.fields]
        self.specs: list[tuple[str, int, Any, models.Field[Any, Any], str]] = []
        for f in self.fields:
            kind = (
                2 if isinstance(f, EncryptedField) else 1 if isinstance(f, models.JSONField) else 0
            )
            default = f.get_default() if f.has_default() or not f.null else None
            context = f.context if isinstance(f, EncryptedField) else ""
            self.specs.append((f.attname, kind, default, f, context))

    def values(self, row: dict[str, Any], sqlite: bool) -> list[Any]:
        sealer = _sealer()
        out: list[Any] = []
        for attname, kind, default, f, context in self.specs:
            value = row.get(attname, default)
            if value is None:
                out.append(None)
            elif kind == 2:
                out.append(sealer.seal(f.value_to_bytes(value), context))  # type: ignore[attr-defined]
            elif sqlite:
                out.append(f.get_db_prep_value(value, connection, prepared=False))
            elif kind == 1:
                out.append(json.dumps(value, separators=(",", ":"), ensure_ascii=False))
            else:
                out.append(value)
        return out


_TABLES: dict[type[models.Model], _Table] = {}


def _table(model: type[models.Model]) -> _Table:
    if model not in _TABLES:
        _TABLES[model] = _Table(model)
    return _TABLES[model]


def _write(rows: dict[type[models.Model], list[dict[str, Any]]]) -> dict[str, int]:
    """Writes a batch in one transaction; the number of rows per model label."""
    sqlite = connection.vendor == "sqlite"
    qn = connection.ops.quote_name
    written: dict[str, int] = {}
    with transaction.atomic():
        for model in MODELS:
            batch = rows.get(model)
            if not batch:
                continue
            table = _table(model)
            columns = ", ".join(qn(c) for c in table.columns)
            if sqlite:
                marks = ", ".join(["%s"] * len(table.columns))
                with connection.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {qn(table.name)} ({columns}) VALUES ({marks})",  # noqa: S608
                        [table.values(row, True) for row in batch],
                    )
            else:
                raw = connection.connection.cursor()
                with raw.copy(f"COPY {qn(table.name)} ({columns}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(table.values(row, False))
            written[model._meta.label] = len(batch)
    return written


# --- the plan: what every worker needs, prepared once ------------------------------------------


@dataclass
class _OfficeInfo:
    id: uuid.UUID
    code: str
    country: str


@dataclass
class _Survey:
    version_id: uuid.UUID
    answers: list[tuple[dict[str, str], dict[str, Any], Decimal | None]]


@dataclass
class _Plan:
    options: Options
    until: datetime.date
    until_moment: datetime.datetime
    start_ts: int
    hosts: list[_OfficeInfo]
    origin_office: dict[str, uuid.UUID]  # country -> an origin office
    # per host office index: cumulative weights of ORIGINS (same order as ``countries``)
    countries: list[str]
    origin_cum: list[list[float]]
    survey: _Survey | None
    # per case, in order of registration
    registered: array[int]  # epoch seconds
    office_of: array[int]  # index into hosts
    number: array[int]  # the reference's sequence number


_PLAN: _Plan | None = None


def _offices() -> tuple[list[_OfficeInfo], dict[str, uuid.UUID]]:
    """The active host offices and an origin office per country; a few are created when the
    database has none of a kind."""
    from wayhome.accounts.services import office_create

    for kind, defaults in (
        (Office.Kind.HOST, DEFAULT_HOSTS),
        (Office.Kind.ORIGIN, DEFAULT_ORIGINS),
    ):
        if not Office.objects.filter(kind=kind, is_active=True).exists():
            for code, name, country in defaults:
                if not Office.objects.filter(code=code).exists():
                    office_create(actor=None, code=code, name=name, kind=kind, country=country)
    hosts = [
        _OfficeInfo(o.pk, o.code, o.country)
        for o in Office.objects.filter(kind=Office.Kind.HOST, is_active=True).order_by("code")
    ]
    origins: dict[str, uuid.UUID] = {}
    for o in Office.objects.filter(kind=Office.Kind.ORIGIN, is_active=True).order_by("code"):
        origins.setdefault(o.country, o.pk)
    return hosts, origins


def _survey(seed: int) -> _Survey | None:
    """The published RSS (or any published instrument) and a pool of scored answer sets."""
    version = (
        InstrumentVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("instrument")
        .order_by("instrument__code")
    )
    chosen = next((v for v in version if v.instrument.code == "rss"), None) or version.first()
    if chosen is None:
        return None
    definition = chosen.parsed
    rng = random.Random(seed * 7919 + 1)  # noqa: S311 (synthetic data)
    pool = []
    for n in range(200):
        lift = n % 3
        answers: dict[str, str] = {}
        for question in definition.questions:
            scored = sorted(
                (o for o in question.options if o.score is not None), key=lambda o: o.score or 0
            )
            unscored = [o for o in question.options if o.score is None]
            if (unscored and rng.random() < 0.06) or not scored:
                if unscored:
                    answers[question.code] = unscored[0].value
                continue
            index = min(len(scored) - 1, rng.randrange(len(scored)) + lift)
            answers[question.code] = scored[index].value
        cleaned = scoring.clean_answers(definition, answers)
        scores = scoring.score(definition, cleaned)
        pool.append((cleaned, scores.as_json(), scores.composite))
    return _Survey(chosen.pk, pool)


def _prepare(options: Options) -> _Plan:
    until = options.until or timezone.localdate()
    tz = timezone.get_current_timezone()
    until_moment = datetime.datetime.combine(until, datetime.time(18, 0), tzinfo=tz)
    start = until - datetime.timedelta(days=365 * options.years)
    start_ts = int(datetime.datetime.combine(start, datetime.time(0), tzinfo=tz).timestamp())
    end_ts = int(until_moment.timestamp()) - 3600
    hosts, origin_office = _offices()
    if options.office:
        office = Office.objects.filter(code=options.office).first()
        if office is None:
            raise ValueError(f"no office with the code {options.office!r}")
        hosts = [_OfficeInfo(office.pk, office.code, office.country)]
    countries = list(ORIGINS)
    origin_cum = []
    for host in hosts:
        weights = []
        for country in countries:
            weight, pool = ORIGINS[country]
            if country == host.country:
                weight = 0.0  # nobody returns to the country they are in
            elif host.country in AFRICAN_HOSTS:
                weight *= 5.0 if pool in AFRICAN_POOLS else 0.15
            weights.append(weight)
        origin_cum.append(list(accumulate(weights)))

    # Registration times: more in recent years (growing caseloads), then sorted so that
    # references follow the registration order within an office and a year.
    rng = random.Random(options.seed)  # noqa: S311 (synthetic data)
    span = end_ts - start_ts
    registered = array(
        "q", sorted(end_ts - int(span * rng.random() ** 1.3) for _ in range(options.cases))
    )
    office_of = array("H", bytes(2 * options.cases))
    number = array("l", bytes(array("l").itemsize * options.cases))
    counters: dict[tuple[int, int], int] = {}
    existing = dict(Counter.objects.filter(scope__startswith="case:").values_list("scope", "value"))
    n_hosts = len(hosts)
    for i, ts in enumerate(registered):
        index = rng.randrange(n_hosts) if n_hosts > 1 else 0
        year = datetime.datetime.fromtimestamp(ts, tz).year
        key = (index, year)
        if key not in counters:
            counters[key] = int(existing.get(f"case:{hosts[index].code}:{year}", 0))
        counters[key] += 1
        office_of[i] = index
        number[i] = counters[key]
    return _Plan(
        options=options,
        until=until,
        until_moment=until_moment,
        start_ts=start_ts,
        hosts=hosts,
        origin_office=origin_office,
        countries=countries,
        origin_cum=origin_cum,
        survey=_survey(options.seed),
        registered=registered,
        office_of=office_of,
        number=number,
    )


# --- drawing values -----------------------------------------------------------------------------


def _uuid(rng: random.Random, ms: int) -> uuid.UUID:
    """A UUID in the layout of version 7 (RFC 9562: the time in milliseconds, then random bits),
    drawn from ``rng`` (reproducible). Time-ordered ids keep the index inserts of a bulk load
    close together (the app's own ids are version 4; both are just unique values to it)."""
    rand = rng.getrandbits(74)
    return uuid.UUID(
        int=(ms & 0xFFFFFFFFFFFF) << 80
        | 0x7 << 76
        | (rand >> 62) << 64
        | 0b10 << 62
        | (rand & 0x3FFFFFFFFFFFFFFF)
    )


def _pick(rng: random.Random, cum: Sequence[float]) -> int:
    return bisect(cum, rng.random() * cum[-1])


def _weights(table: Sequence[tuple[Any, float]]) -> tuple[list[Any], list[float]]:
    return [v for v, _w in table], list(accumulate(w for _v, w in table))


FAMILY_SIZES, FAMILY_CUM = _weights(
    [(1, 62), (2, 12), (3, 9), (4, 7), (5, 5), (6, 3), (7, 1.3), (8, 0.7)]
)
CATEGORIES, CATEGORY_CUM = _weights(
    [
        (MigrantCategory.IRREGULAR, 35),
        (MigrantCategory.REJECTED_ASYLUM_SEEKER, 30),
        (MigrantCategory.STRANDED, 15),
        (MigrantCategory.REGULAR, 5),
        (MigrantCategory.VICTIM_OF_TRAFFICKING, 3),
        (MigrantCategory.HEALTH_NEEDS, 5),
        (MigrantCategory.OTHER_VULNERABLE, 5),
        (MigrantCategory.UNACCOMPANIED_CHILD, 2),
    ]
)
PROGRAMMES, PROGRAMME_CUM = _weights(
    [(Programme.AVRR, 60), (Programme.AVR, 32), (Programme.VHR, 8)]
)
#: Age of adult principals: (lowest, highest) age, weight.
ADULT_AGES, ADULT_AGE_CUM = _weights(
    [((18, 24), 22), ((25, 34), 38), ((35, 44), 22), ((45, 59), 14), ((60, 75), 4)]
)
#: Days spent before reaching each status on the way.
STEP_DAYS: dict[str, tuple[int, int]] = {
    S.COUNSELLING: (1, 21),
    S.APPLICATION_SUBMITTED: (2, 20),
    S.APPROVED: (5, 35),
    S.TRAVEL_PREPARATION: (1, 10),
    S.READY_TO_DEPART: (7, 45),
    S.DEPARTED: (2, 14),
    S.ARRIVED: (0, 1),
    S.REINTEGRATION_PLANNING: (5, 30),
    S.REINTEGRATION_ASSISTANCE: (10, 60),
    S.MONITORING: (60, 240),
    S.CLOSED: (90, 365),
    S.WITHDRAWN: (1, 40),
    S.REJECTED: (3, 40),
    S.ON_HOLD: (1, 20),
}
REASONS: dict[str, str] = {
    S.WITHDRAWN: "The migrant decided not to return for now.",
    S.REJECTED: "Does not meet the programme's criteria.",
    S.ON_HOLD: "Waiting for a document from the consulate.",
}
POST_ARRIVAL_CLOSE: dict[str, tuple[int, int]] = {
    S.ARRIVED: (1, 30),
    S.REINTEGRATION_PLANNING: (5, 60),
}


def _path(rng: random.Random, programme: str) -> list[str]:
    """The targets of a case's moves, all allowed by the workflow, before time cuts them."""
    seq: list[str] = [S.COUNSELLING, S.APPLICATION_SUBMITTED]
    if rng.random() < 0.04:  # sent back for more counselling
        seq += [S.COUNSELLING, S.APPLICATION_SUBMITTED]
    seq += [S.APPROVED, S.TRAVEL_PREPARATION, S.READY_TO_DEPART, S.DEPARTED, S.ARRIVED]
    if programme == Programme.AVRR:
        seq += [S.REINTEGRATION_PLANNING, S.REINTEGRATION_ASSISTANCE, S.MONITORING, S.CLOSED]
    else:
        seq += [S.CLOSED]
    departed = seq.index(S.DEPARTED)
    r = rng.random()
    if r < 0.09:  # withdrawn before departure (from a pre-departure status)
        k = rng.randrange(departed + 1)
        seq = [*seq[:k], S.WITHDRAWN]
    elif r < 0.14:  # rejected: from registered, counselling or application submitted
        k = rng.randrange(seq.index(S.APPROVED) + 1)
        seq = [*seq[:k], S.REJECTED]
    elif r < 0.18:  # put on hold, then resumed where it was
        k = rng.randrange(departed + 1)
        held = seq[k - 1] if k else S.REGISTERED
        seq = [*seq[:k], S.ON_HOLD, held, *seq[k:]]
    elif programme == Programme.AVRR and r < 0.25:  # reintegration cut short
        k = seq.index(S.REINTEGRATION_PLANNING) + rng.randrange(2)
        seq = [*seq[: k + 1], S.CLOSED]
    return seq


def _spells(
    created: datetime.datetime, steps: list[dict[str, Any]]
) -> tuple[dict[str, int], dict[str, datetime.date]]:
    """``facts._spells`` for times already in the current time zone: days spent in each status
    left, and the first day each status was reached."""
    days: dict[str, int] = defaultdict(int)
    reached: dict[str, datetime.date] = {}
    status: str = S.REGISTERED
    since = created
    for step in steps:
        days[status] += max(0, (step["occurred_at"] - since).days)
        status, since = step["target"], step["occurred_at"]
        if status not in reached:
            reached[status] = since.date()
    return dict(days), reached


# --- one case -----------------------------------------------------------------------------------


class _Builder:
    """Builds the rows of cases (and extra people) into ``rows``; caches deterministic values."""

    def __init__(self, plan: _Plan) -> None:
        self.plan = plan
        self.tz = timezone.get_current_timezone()
        self.rows: dict[type[models.Model], list[dict[str, Any]]] = defaultdict(list)
        self.name_cache: dict[tuple[str, str], str] = {}
        self.dob_cache: dict[datetime.date, str] = {}
        self.key_cache: dict[str, str] = {}
        self.match_mac = hmac.new(
            crypto._purpose_key(settings.BLIND_INDEX_KEY, duplicates.PURPOSE_MATCH),
            digestmod=hashlib.sha256,
        )
        self.people = 0
        self.ms = 0  # the time part of the ids being drawn

    # names and people --------------------------------------------------------------------
    def _blind_key(self, key: str) -> str:
        """``crypto.blind_index(duplicates.PURPOSE_MATCH, key)``, with the keyed hash set up once
        (the same digest: ``tests/core/test_synthetic.py`` compares them)."""
        value = self.key_cache.get(key)
        if value is None:
            if len(self.key_cache) > 200_000:
                self.key_cache.clear()
            mac = self.match_mac.copy()
            mac.update(key.encode("utf-8"))
            value = self.key_cache[key] = mac.digest()[: crypto.BLIND_INDEX_BYTES].hex()
        return value

    def person(
        self,
        rng: random.Random,
        *,
        office: uuid.UUID,
        country: str,
        pool: NamePool,
        sex: str,
        born: datetime.date,
        family: str | None,
        created: datetime.datetime,
    ) -> tuple[uuid.UUID, str, datetime.date]:
        """Adds a person; their id, family name (for relatives) and date of birth as stored."""
        pid = _uuid(rng, self.ms)
        given = rng.choice(pool.male if sex == Person.Sex.MALE else pool.female)
        if family is None:
            family = rng.choice(pool.family)
            if pool.middle and rng.random() < 0.5:
                # a father's name before the family name; a second surname in Latin America
                first = rng.choice(pool.family if pool is LATAM else pool.male)
                family = f"{first} {family}"
        family_name = family
        if sex == Person.Sex.FEMALE and pool.female_family:
            family_name = " ".join(pool.female_family.get(w, w) for w in family.split())
        as_written = ""
        parts = [given, *family_name.split()]
        if pool.script and all(p in pool.script for p in parts) and rng.random() < 0.8:
            as_written = " ".join(pool.script[p] for p in parts)
        other_names: list[str] = []
        if rng.random() < 0.3:
            varied = [rng.choice(pool.variants[p]) if p in pool.variants else p for p in parts]
            if varied != parts:
                other_names.append(" ".join(varied))
        r = rng.random()
        precision = (
            Person.DobPrecision.EXACT
            if r < 0.85
            else Person.DobPrecision.YEAR
            if r < 0.95
            else Person.DobPrecision.ESTIMATED
        )
        if precision != Person.DobPrecision.EXACT:
            born = datetime.date(born.year, 1, 1)
        name_key = (given, family_name)
        name_index = self.name_cache.get(name_key)
        if name_index is None:
            name_index = self.name_cache[name_key] = crypto.name_index(given, family_name)
        dob_index = self.dob_cache.get(born)
        if dob_index is None:
            dob_index = self.dob_cache[born] = crypto.date_of_birth_index(born)
        data = {
            "given_name": given,
            "family_name": family_name,
            "name_as_written": as_written,
            "other_names": other_names,
            "date_of_birth": born,
            "dob_precision": precision,
            "sex": sex,
            "nationality": country,
            "other_nationalities": [],
        }
        self.rows[Person].append(
            {
                **data,
                "id": pid,
                "created_at": created,
                "updated_at": created,
                "office_id": office,
                "languages": [pool.language],
                "name_index": name_index,
                "dob_index": dob_index,
            }
        )
        for key in sorted(matching.bucket_keys(duplicates.identity_from(data))):
            self.rows[MatchKey].append({"person_id": pid, "key": self._blind_key(key)})
        self.people += 1
        return pid, family, born

    def document(
        self, rng: random.Random, person: uuid.UUID, country: str, when: datetime.datetime
    ) -> None:
        number = f"{country}{rng.randrange(10**7):07d}"
        self.rows[IdentityDocument].append(
            {
                "id": _uuid(rng, self.ms),
                "created_at": when,
                "updated_at": when,
                "person_id": person,
                "kind": IdentityDocument.Kind.PASSPORT,
                "number": number,
                "number_index": crypto.document_number_index(number),
                "issuing_country": country,
                "expires_on": when.date() + datetime.timedelta(days=rng.randint(-400, 3000)),
            }
        )

    def _date(self, moment: datetime.datetime) -> datetime.date:
        return moment.astimezone(self.tz).date()

    def _born(self, rng: random.Random, low: int, high: int, on: datetime.date) -> datetime.date:
        age_days = rng.randint(low * 365 + 1, high * 365 + 364)
        return on - datetime.timedelta(days=age_days)

    # the case ----------------------------------------------------------------------------
    def case(self, i: int) -> None:
        plan = self.plan
        rng = random.Random((plan.options.seed << 40) | i)  # noqa: S311 (synthetic data)
        host_index = plan.office_of[i]
        host = plan.hosts[host_index]
        created = datetime.datetime.fromtimestamp(plan.registered[i], self.tz)
        self.ms = plan.registered[i] * 1000
        registered_on = self._date(created)
        country = plan.countries[_pick(rng, plan.origin_cum[host_index])]
        pool = ORIGINS[country][1]
        programme = PROGRAMMES[_pick(rng, PROGRAMME_CUM)]
        category = CATEGORIES[_pick(rng, CATEGORY_CUM)]
        size = FAMILY_SIZES[_pick(rng, FAMILY_CUM)]
        if category == MigrantCategory.UNACCOMPANIED_CHILD:
            size = 1
        case_id = _uuid(rng, self.ms)

        # People: the principal, then the family.
        members: list[tuple[uuid.UUID, str, datetime.date, str, bool]] = []
        if category == MigrantCategory.UNACCOMPANIED_CHILD:
            p_born = self._born(rng, 14, 17, registered_on)
            p_sex = Person.Sex.MALE if rng.random() < 0.85 else Person.Sex.FEMALE
        else:
            low, high = ADULT_AGES[_pick(rng, ADULT_AGE_CUM)]
            p_born = self._born(rng, max(low, 20 if size > 2 else low), high, registered_on)
            male_share = 0.78 if size == 1 else 0.62
            p_sex = Person.Sex.MALE if rng.random() < male_share else Person.Sex.FEMALE
        principal, family, p_born = self.person(
            rng,
            office=host.id,
            country=country,
            pool=pool,
            sex=p_sex,
            born=p_born,
            family=None,
            created=created,
        )
        members.append((principal, Rel.PRINCIPAL, p_born, p_sex, True))
        if rng.random() < 0.4:
            self.document(rng, principal, country, created)
        p_age = (registered_on - p_born).days // 365
        spouse = (size >= 3 and rng.random() < 0.85) or (size == 2 and rng.random() < 0.5)
        for n in range(size - 1):
            if n == 0 and spouse:
                rel = Rel.SPOUSE
                sex = Person.Sex.FEMALE if p_sex == Person.Sex.MALE else Person.Sex.MALE
                age = max(18, min(80, p_age + rng.randint(-8, 4)))
                born = self._born(rng, age, age, registered_on)
                own_family = None if rng.random() < 0.6 else family
            elif size == 2 and rng.random() < 0.2:
                rel = Rel.SIBLING
                sex = Person.Sex.MALE if rng.random() < 0.5 else Person.Sex.FEMALE
                age = max(0, min(80, p_age + rng.randint(-10, 10)))
                born = self._born(rng, age, age, registered_on)
                own_family = family
            elif n == size - 2 and p_age >= 40 and rng.random() < 0.1:
                rel = Rel.PARENT
                sex = Person.Sex.MALE if rng.random() < 0.4 else Person.Sex.FEMALE
                age = min(90, p_age + rng.randint(20, 35))
                born = self._born(rng, age, age, registered_on)
                own_family = family
            else:
                rel = Rel.CHILD
                sex = Person.Sex.MALE if rng.random() < 0.51 else Person.Sex.FEMALE
                oldest = max(0, min(17, p_age - 17))
                age = rng.randint(0, oldest)
                born = self._born(rng, age, age, registered_on)
                own_family = family
            pid, _family, born = self.person(
                rng,
                office=host.id,
                country=country,
                pool=pool,
                sex=sex,
                born=born,
                family=own_family,
                created=created,
            )
            travelling = rel != Rel.PARENT or rng.random() < 0.7
            members.append((pid, rel, born, sex, travelling))
        member_ids = [_uuid(rng, self.ms) for _ in members]
        for n, (pid, relation, _born, _sex, travelling) in enumerate(members):
            moment = created + datetime.timedelta(microseconds=n)
            self.rows[CaseMember].append(
                {
                    "id": member_ids[n],
                    "created_at": moment,
                    "updated_at": moment,
                    "case_id": case_id,
                    "person_id": pid,
                    "relationship": relation,
                    "travelling": travelling,
                }
            )

        # The path through the workflow, cut at ``until``.
        steps: list[dict[str, Any]] = []
        status: str = S.REGISTERED
        held_from = ""
        moment = created
        limit = plan.until_moment
        for target in _path(rng, programme):
            if status == S.ON_HOLD:
                low, high = 10, 90
            elif target == S.CLOSED and status in POST_ARRIVAL_CLOSE:
                low, high = POST_ARRIVAL_CLOSE[status]
            else:
                low, high = STEP_DAYS[target]
            nxt = moment + datetime.timedelta(
                seconds=rng.randint(low * DAY + 600, high * DAY + 7200)
            )
            if nxt > limit:
                break
            steps.append(
                {
                    "case_id": case_id,
                    "source": status,
                    "target": target,
                    "reason": REASONS.get(target, ""),
                    "occurred_at": nxt,
                }
            )
            held_from = status if target == S.ON_HOLD else ""
            status, moment = target, nxt
        self.rows[CaseTransition].extend(steps)
        reached: dict[str, datetime.datetime] = {}
        for step in steps:
            reached.setdefault(step["target"], step["occurred_at"])
        funding = FUNDING.get(host.country, DEFAULT_FUNDING)
        reference = f"{host.code.upper()}-{created.year}-{plan.number[i]:05d}"
        self.rows[Case].append(
            {
                "id": case_id,
                "created_at": created,
                "updated_at": moment,
                "version": 1 + len(steps),
                "reference": reference,
                "office_id": host.id,
                "programme": programme,
                "category": category,
                "status": status,
                "principal_id": principal,
                "destination_country": country,
                "funding_source": rng.choice(funding),
                "status_changed_at": moment,
                "held_from": held_from,
            }
        )

        # Movement: a flown booking and the arrival for the cases that left.
        origin_office = plan.origin_office.get(country, host.id)
        departure: datetime.date | None = None
        arrival: datetime.date | None = None
        if S.DEPARTED in reached or (S.READY_TO_DEPART in reached and status == S.READY_TO_DEPART):
            flown = S.DEPARTED in reached
            departs_at = (
                reached[S.DEPARTED]
                if flown
                else reached[S.READY_TO_DEPART] + datetime.timedelta(days=rng.randint(3, 20))
            )
            departure = self._date(departs_at)
            arrived_at = reached.get(S.ARRIVED)
            arrival = self._date(arrived_at) if arrived_at else None
            booked = reached.get(S.TRAVEL_PREPARATION, created)
            booking_id = _uuid(rng, self.ms)
            travellers = sum(1 for m in members if m[4])
            self.rows[Booking].append(
                {
                    "id": booking_id,
                    "created_at": booked,
                    "updated_at": departs_at if flown else booked,
                    "case_id": case_id,
                    "status": BookingStatus.FLOWN if flown else BookingStatus.CONFIRMED,
                    "reference": "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(6)),
                    "baggage": "23 kg",
                    "allowance_amount": Decimal(50 * travellers),
                    "allowance_currency": "EUR",
                    "departs_at": departs_at,
                    "departure_date": departure,
                    "arrival_date": arrival or departure,
                    "confirmed_at": reached.get(S.READY_TO_DEPART, booked),
                }
            )
            for n, m in enumerate(members):
                if m[4]:
                    self.rows[Passenger].append(
                        {"booking_id": booking_id, "member_id": member_ids[n]}
                    )
            if not flown:
                departure = None  # not left yet
        if arrival is not None:
            self.rows[Arrival].append(
                {
                    "id": _uuid(rng, self.ms),
                    "created_at": reached[S.ARRIVED],
                    "updated_at": reached[S.ARRIVED],
                    "case_id": case_id,
                    "arrived_on": arrival,
                    "confirmed_by": ConfirmedBy.ORIGIN_OFFICE
                    if origin_office != host.id
                    else ConfirmedBy.HOST_OFFICE,
                    "reception_details": "Met at the airport and accompanied to the family.",
                    "office_id": origin_office,
                }
            )
            if status == S.CLOSED:
                closed_at = steps[-1]["occurred_at"]
                self.rows[Closure].append(
                    {
                        "id": _uuid(rng, self.ms),
                        "created_at": closed_at,
                        "updated_at": closed_at,
                        "case_id": case_id,
                        "reason": ClosureReason.COMPLETED
                        if steps[-1]["source"] in (S.MONITORING, S.ARRIVED)
                        else rng.choice((ClosureReason.CHOSE_TO_STOP, ClosureReason.ABRUPT_EXIT)),
                        "closed_from": steps[-1]["source"],
                        "office_id": origin_office,
                    }
                )

        # Reintegration: the household plan and its lines once planning started.
        if S.REINTEGRATION_PLANNING in reached:
            self._plan(rng, case_id, origin_office, reached, len(members))
        # Surveys: a baseline at arrival for most AVRR returnees, a 12-month one for some.
        if plan.survey is not None and arrival is not None and programme == Programme.AVRR:
            self._interviews(rng, case_id, member_ids[0], origin_office, arrival)

        self._facts(
            case_id,
            host,
            country,
            programme,
            category,
            status,
            created,
            steps,
            members,
            member_ids,
            departure,
            arrival,
            reached,
            funding=self.rows[Case][-1]["funding_source"],
        )

    def _plan(
        self,
        rng: random.Random,
        case_id: uuid.UUID,
        office: uuid.UUID,
        reached: dict[str, datetime.datetime],
        persons: int,
    ) -> None:
        started = reached[S.REINTEGRATION_PLANNING]
        approved_at = reached.get(S.REINTEGRATION_ASSISTANCE)
        status = (
            PlanStatus.APPROVED
            if approved_at
            else rng.choice((PlanStatus.DRAFT, PlanStatus.SUBMITTED))
        )
        plan_id = _uuid(rng, self.ms)
        self.rows[Plan].append(
            {
                "id": plan_id,
                "created_at": started,
                "updated_at": approved_at or started,
                "case_id": case_id,
                "status": status,
                "needs": rng.choice(PLAN_NEEDS),
                "office_id": office,
                "submitted_at": approved_at - datetime.timedelta(days=2) if approved_at else None,
                "approved_at": approved_at,
            }
        )
        delivered = reached.get(S.MONITORING)
        for _ in range(rng.randint(1, 3)):
            category = rng.choice(list(LINE_TEXT))
            amount = Decimal(rng.randrange(100, 1500 + 300 * persons, 50))
            line_id = _uuid(rng, self.ms)
            self.rows[BudgetLine].append(
                {
                    "id": line_id,
                    "created_at": started,
                    "updated_at": approved_at or started,
                    "plan_id": plan_id,
                    "dimension": CATEGORY_DIMENSION[category],
                    "category": category,
                    "description": rng.choice(LINE_TEXT[category]),
                    "amount": amount,
                    "currency": "EUR",
                    "delivery_mode": DeliveryMode.IN_KIND
                    if category == "business"
                    else rng.choice((DeliveryMode.CASH, DeliveryMode.SERVICE)),
                    "approved_amount": amount if approved_at else None,
                }
            )
            if delivered is not None and approved_at is not None:
                on = self._date(delivered) - datetime.timedelta(days=rng.randint(1, 10))
                self.rows[Delivery].append(
                    {
                        "id": _uuid(rng, self.ms),
                        "created_at": delivered,
                        "updated_at": delivered,
                        "line_id": line_id,
                        "delivered_on": max(on, self._date(approved_at)),
                        "amount": amount,
                        "method": rng.choice((PaymentMethod.IN_KIND, PaymentMethod.BANK)),
                        "delivered_by": "Origin office",
                        "office_id": office,
                    }
                )

    def _interviews(
        self,
        rng: random.Random,
        case_id: uuid.UUID,
        member: uuid.UUID,
        office: uuid.UUID,
        arrival: datetime.date,
    ) -> None:
        survey = self.plan.survey
        assert survey is not None  # noqa: S101 (checked by the caller)
        for after, share in ((0, 0.6), (365, 0.35)):
            on = arrival + datetime.timedelta(days=after + rng.randint(0, 5))
            if on > self.plan.until or rng.random() >= share:
                continue
            when = datetime.datetime.combine(on, datetime.time(11), tzinfo=self.tz)
            r = rng.random()
            outcome = (
                Outcome.COMPLETED
                if r < 0.85
                else Outcome.REFUSED
                if r < 0.9
                else Outcome.UNREACHABLE
            )
            answers, values, composite = survey.answers[rng.randrange(len(survey.answers))]
            interview_id = _uuid(rng, self.ms)
            completed = outcome == Outcome.COMPLETED
            self.rows[Interview].append(
                {
                    "id": interview_id,
                    "created_at": when,
                    "updated_at": when,
                    "office_id": office,
                    "case_id": case_id,
                    "member_id": member,
                    "instrument_version_id": survey.version_id,
                    "mode": Mode.VISIT if after == 0 else Mode.PHONE,
                    "conducted_on": on,
                    "consent": Consent.GIVEN
                    if completed
                    else Consent.REFUSED
                    if outcome == Outcome.REFUSED
                    else "",
                    "outcome": outcome,
                    "answers": answers if completed else {},
                }
            )
            if completed:
                self.rows[ScoreSet].append(
                    {
                        "id": _uuid(rng, self.ms),
                        "created_at": when,
                        "updated_at": when,
                        "interview_id": interview_id,
                        "instrument_version_id": survey.version_id,
                        "values": values,
                        "composite": composite,
                        "current": True,
                        "reason": ScoreReason.INITIAL,
                        "computed_at": when,
                    }
                )

    def _facts(
        self,
        case_id: uuid.UUID,
        host: _OfficeInfo,
        country: str,
        programme: str,
        category: str,
        status: str,
        created: datetime.datetime,
        steps: list[dict[str, Any]],
        members: list[tuple[uuid.UUID, str, datetime.date, str, bool]],
        member_ids: list[uuid.UUID],
        departure: datetime.date | None,
        arrival: datetime.date | None,
        reached: dict[str, datetime.datetime],
        *,
        funding: str,
    ) -> None:
        """The ``ReturnFact`` rows, as ``facts.fact_rows`` computes them (no screenings here)."""
        days, reached_on = _spells(created, steps)
        registered_on = self._date(created)
        applied_on = reached_on.get(S.APPLICATION_SUBMITTED)
        if departure is None and S.DEPARTED in reached_on:
            departure = reached_on[S.DEPARTED]
        closed_on = (
            self._date(steps[-1]["occurred_at"]) if status in facts.TERMINAL and steps else None
        )
        main, trafficking, health = facts._vulnerability(category, set())
        on = departure or applied_on or registered_on
        area = regions.area_of(country)
        for n, (_pid, rel, born, sex, travelling) in enumerate(members):
            group = age_group(born, on)
            principal = rel == Rel.PRINCIPAL
            row: dict[str, Any] = {
                "member_id": member_ids[n],
                "case_id": case_id,
                "office_id": host.id,
                "host_country": host.country,
                "origin_country": country,
                "origin_region": "",
                "origin_area": area,
                "programme": programme,
                "category": category,
                "status": status,
                "principal": principal,
                "travelling": travelling,
                "sex": sex,
                "age_group": group,
                "vulnerability": main,
                "child": group in CHILD_AGE_GROUPS
                or category == MigrantCategory.UNACCOMPANIED_CHILD,
                "trafficking": trafficking,
                "health": health,
                "funding_source": funding,
                "registered_on": registered_on,
                "applied_on": applied_on,
                "approved_on": reached_on.get(S.APPROVED),
                "departure_date": departure,
                "arrival_date": arrival,
                "closed_on": closed_on,
                "days_to_departure": (departure - applied_on).days
                if departure and applied_on
                else None,
                "refreshed_at": self.plan.until_moment,
            }
            if principal:
                for timed in TIMED_STATUSES:
                    if timed in days:
                        row[days_field(timed)] = days[timed]
            self.rows[ReturnFact].append(row)

    # people without a case ---------------------------------------------------------------
    def extra_person(self, j: int) -> None:
        plan = self.plan
        rng = random.Random((plan.options.seed << 40) | (1 << 39) | j)  # noqa: S311
        host_index = rng.randrange(len(plan.hosts))
        host = plan.hosts[host_index]
        # Spread over the years in order (time-ordered ids), a little jitter.
        span = int(plan.until_moment.timestamp()) - 7200 - plan.start_ts
        ts = plan.start_ts + span * j // max(1, plan.options.people_extra) + rng.randrange(3600)
        created = datetime.datetime.fromtimestamp(ts, self.tz)
        self.ms = ts * 1000
        country = plan.countries[_pick(rng, plan.origin_cum[host_index])]
        pool = ORIGINS[country][1]
        sex = Person.Sex.MALE if rng.random() < 0.7 else Person.Sex.FEMALE
        low, high = ADULT_AGES[_pick(rng, ADULT_AGE_CUM)]
        born = self._born(rng, low, high, self._date(created))
        self.person(
            rng,
            office=host.id,
            country=country,
            pool=pool,
            sex=sex,
            born=born,
            family=None,
            created=created,
        )


# --- running ------------------------------------------------------------------------------------


def _work(task: tuple[str, int, int]) -> tuple[str, int, int, dict[str, int]]:
    """Builds and writes one batch: ("cases" or "people", first, last + 1)."""
    kind, first, stop = task
    assert _PLAN is not None  # noqa: S101 (set before the workers start)
    builder = _Builder(_PLAN)
    collect = gc.isenabled()
    gc.disable()  # many small objects and no cycles: the collector would only slow this down
    try:
        for i in range(first, stop):
            if kind == "cases":
                builder.case(i)
            else:
                builder.extra_person(i)
        written = _write(builder.rows)
    finally:
        if collect:
            gc.enable()
    return kind, stop - first, builder.people, written


def _init_worker() -> None:
    connections.close_all()  # every worker opens its own connection


def refuse_in_production() -> None:
    if getattr(settings, "PRODUCTION", False) or os.environ.get(
        "WAYHOME_PRODUCTION", ""
    ).lower() in (
        "1",
        "true",
        "yes",
        "on",
    ):
        raise ProductionRefused(
            "WAYHOME_PRODUCTION is set: synthetic data is never written to a production database"
        )


def generate(
    options: Options,
    *,
    progress: Callable[[str, int], None] | None = None,
    allow_production: bool = False,
) -> Result:
    """Writes the synthetic data; ``progress(kind, n)`` is called after each batch."""
    global _PLAN
    if not allow_production:
        refuse_in_production()
    started = time.perf_counter()
    plan = _prepare(options)
    _PLAN = plan
    result = Result()
    batch = max(1, options.batch)
    tasks: list[tuple[str, int, int]] = [
        ("cases", first, min(first + batch, options.cases))
        for first in range(0, options.cases, batch)
    ]
    tasks += [
        ("people", first, min(first + batch, options.people_extra))
        for first in range(0, options.people_extra, batch)
    ]
    workers = options.workers or (2 if connection.vendor == "postgresql" else 1)
    if connection.vendor == "sqlite" or connection.in_atomic_block:
        workers = 1  # one writer (and a test's transaction is not shared with other processes)
    cases_started = time.perf_counter()

    def record(done: tuple[str, int, int, dict[str, int]]) -> None:
        kind, count, people, written = done
        if kind == "cases":
            result.cases += count
        result.people += people
        for label, n in written.items():
            result.rows[label] = result.rows.get(label, 0) + n
        if progress is not None:
            progress(kind, count)

    def run(batch_tasks: list[tuple[str, int, int]]) -> None:
        if workers == 1:
            for task in batch_tasks:
                record(_work(task))
            return
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(workers, initializer=_init_worker) as pool:
            for done in pool.imap_unordered(_work, batch_tasks):
                record(done)

    try:
        run([t for t in tasks if t[0] == "cases"])
        result.case_seconds = time.perf_counter() - cases_started
        run([t for t in tasks if t[0] == "people"])
        _advance_counters(plan)
        if options.cases:
            next_value(facts.GENERATION)  # cached figures are recomputed
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in MODELS:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    finally:
        _PLAN = None
    result.seconds = time.perf_counter() - started
    return result


def _advance_counters(plan: _Plan) -> None:
    """Each office and year's case counter at least at the last synthetic number."""
    last: dict[str, int] = {}
    tz = timezone.get_current_timezone()
    for i, ts in enumerate(plan.registered):
        year = datetime.datetime.fromtimestamp(ts, tz).year
        scope = f"case:{plan.hosts[plan.office_of[i]].code}:{year}"
        last[scope] = max(last.get(scope, 0), plan.number[i])
    with transaction.atomic():
        for scope, value in sorted(last.items()):
            Counter.objects.bulk_create([Counter(scope=scope)], ignore_conflicts=True)
            Counter.objects.filter(scope=scope, value__lt=value).update(value=value)


def counts() -> dict[str, int]:
    """Rows per generated model (for the command's summary and the tests)."""
    return {model._meta.label: model._default_manager.count() for model in MODELS}
