"""Historical returns for the demo statistics (``manage.py seed_demo``, its last step).

The demo's live cases (``wayhome.cases.demo``) are too few, and too recent, for the statistics
pages to show figures rather than suppressed cells. This step adds 600 cases in the Berlin and
Athens offices, departed over the 24 months before today: principal applicants and some families
(so that children fill the age groups), eight countries of return with a skewed distribution,
the three programmes, weighted categories and funding sources. Each departed case has its arrival
(confirmed by the origin office where the demo has one) and its closure; a return too recent for
the whole reintegration was closed early, from where it had got to. About 5% were withdrawn
before departure. Their references start with ``HIST-``; nothing is added when such cases exist
already. Nothing is a real person. Deterministic (``random.Random``), except that the dates
follow today.

DEMO DATA ONLY: the records are written with ``bulk_create`` (the whole step takes about five
seconds on SQLite, where the services would take minutes), so none of the services' checks, audit
events or signals run. The histories follow the workflow's allowed moves (``cases/workflow.py``);
the times that ``auto_now_add``/``auto_now`` overwrite are put back with one ``executemany`` per
table. Since the signals that mark cases stale do not fire, the cases are marked here and their
facts computed before the step ends.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.utils import timezone

from wayhome.accounts.models import Office, User
from wayhome.cases.demo import _DESTINATIONS
from wayhome.cases.models import Case, CaseMember, CaseTransition, MigrantCategory, Programme
from wayhome.cases.models import Relationship as Rel
from wayhome.cases.workflow import Status
from wayhome.core.crypto import date_of_birth_index, name_index
from wayhome.core.models import BaseModel
from wayhome.movements.models import Arrival, ConfirmedBy
from wayhome.people.models import Person
from wayhome.reintegration.models import Closure, ClosureReason
from wayhome.reporting.facts import facts_sync, mark_stale

S = Status
M = TypeVar("M", bound=BaseModel)
Sex = Person.Sex
Category = MigrantCategory

HISTORY_PREFIX = "HIST-"
#: Historical cases per demo host office (600 in all).
HISTORICAL_CASES: dict[str, int] = {"de-ber": 330, "gr-ath": 270}
#: Departures fall in the last ``WINDOW_DAYS`` days, at least ``MIN_DAYS_AGO`` days ago (so that
#: the arrival is in the past too).
WINDOW_DAYS = 726
MIN_DAYS_AGO = 2
WITHDRAWN_SHARE = 0.05
FAMILY_SHARE = 0.22
BATCH = 500

# Countries of return and their weights, per host office (skewed, and not the same for both).
_COUNTRIES: dict[str, list[tuple[str, int]]] = {
    "de-ber": [
        ("NG", 24),
        ("GE", 18),
        ("IQ", 16),
        ("AF", 12),
        ("GH", 10),
        ("SN", 8),
        ("PK", 7),
        ("ER", 5),
    ],
    "gr-ath": [
        ("PK", 22),
        ("IQ", 20),
        ("AF", 18),
        ("GE", 12),
        ("NG", 10),
        ("SN", 6),
        ("GH", 6),
        ("ER", 6),
    ],
}
# Country -> (men's given names, women's given names, family names); synthetic.
_NAMES: dict[str, tuple[list[str], list[str], list[str]]] = {
    "NG": (
        ["Chinedu", "Emeka", "Tunde", "Ibrahim"],
        ["Amina", "Ngozi", "Blessing", "Funke"],
        ["Okafor", "Adeyemi", "Eze", "Bello"],
    ),
    "SN": (
        ["Mamadou", "Ousmane", "Cheikh", "Moussa"],
        ["Fatou", "Awa", "Aminata", "Mariama"],
        ["Diallo", "Ndiaye", "Sow", "Fall"],
    ),
    "IQ": (
        ["Ahmed", "Omar", "Ali", "Mustafa"],
        ["Fatima", "Maryam", "Zainab", "Noor"],
        ["Al-Hassan", "Haddad", "Mansour", "Al-Jubouri"],
    ),
    "ER": (
        ["Tesfay", "Yohannes", "Dawit", "Filmon"],
        ["Selam", "Saba", "Helen", "Senait"],
        ["Haile", "Kidane", "Gebremedhin", "Tekle"],
    ),
    "AF": (
        ["Ahmad", "Hamid", "Mohammad", "Javid"],
        ["Zahra", "Farida", "Nazanin", "Marzia"],
        ["Ahmadi", "Rahimi", "Karimi", "Noori"],
    ),
    "GE": (
        ["Giorgi", "Levan", "Davit", "Irakli"],
        ["Nino", "Tamar", "Ana", "Mariam"],
        ["Beridze", "Kapanadze", "Gelashvili", "Lomidze"],
    ),
    "PK": (
        ["Imran", "Bilal", "Usman", "Hassan"],
        ["Ayesha", "Sana", "Hina", "Rabia"],
        ["Khan", "Hussain", "Malik", "Qureshi"],
    ),
    "GH": (
        ["Kwame", "Kofi", "Yaw", "Kwabena"],
        ["Ama", "Akosua", "Abena", "Efua"],
        ["Mensah", "Owusu", "Boateng", "Asante"],
    ),
}
_PROGRAMMES: list[tuple[str, int]] = [(Programme.AVRR, 74), (Programme.AVR, 18), (Programme.VHR, 8)]
_CATEGORIES: list[tuple[str, int]] = [
    (Category.REJECTED_ASYLUM_SEEKER, 34),
    (Category.IRREGULAR, 26),
    (Category.STRANDED, 20),
    (Category.VICTIM_OF_TRAFFICKING, 6),
    (Category.HEALTH_NEEDS, 6),
    (Category.UNACCOMPANIED_CHILD, 4),
    (Category.OTHER_VULNERABLE, 4),
]
_FUNDING: list[tuple[str, int]] = [("EU AMIF", 55), ("National budget", 35), ("Private donors", 10)]

_BEFORE_DEPARTURE = [
    S.REGISTERED,
    S.COUNSELLING,
    S.APPLICATION_SUBMITTED,
    S.APPROVED,
    S.TRAVEL_PREPARATION,
    S.READY_TO_DEPART,
]
_WITHDRAWN_REASON = "The applicant decided to stay and apply for another permit (demo)."
_RECEPTION = "Met at the airport and accompanied to the first night's lodging (demo)."


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([value for value, _w in weighted], [w for _v, w in weighted])[0]


@dataclass
class _Traveller:
    relationship: str
    sex: str
    age: int


@dataclass
class _Plan:
    office: Office
    number: int
    country: str
    programme: str
    category: str
    travellers: list[_Traveller]
    departure: datetime.datetime  # the departure, or when it would have been (withdrawn)
    withdrawn: bool
    registered: datetime.datetime = field(init=False)
    steps: list[tuple[Status, datetime.datetime]] = field(default_factory=list)
    closure_reason: str = ""


def _travellers(rng: random.Random, category: str) -> list[_Traveller]:
    """The principal applicant (about 60% men), and a spouse and children for some."""
    if category == Category.UNACCOMPANIED_CHILD:  # travels alone
        return [_Traveller(Rel.PRINCIPAL, Sex.MALE if rng.random() < 0.85 else Sex.FEMALE, 15)]
    family = rng.random() < FAMILY_SHARE
    draw = rng.random()
    if draw < 0.22:
        age = rng.randint(22 if family else 18, 24)
    elif draw < 0.94:
        age = round(rng.triangular(25, 59, 31))
    else:
        age = rng.randint(60, 72)
    if not family:
        sex = Sex.MALE if rng.random() < 0.6 else Sex.FEMALE
        return [_Traveller(Rel.PRINCIPAL, sex, age)]
    spouse = rng.random() < 0.8
    if spouse:
        sex = Sex.MALE if rng.random() < 0.75 else Sex.FEMALE
    else:  # most single parents are mothers
        sex = Sex.FEMALE if rng.random() < 0.7 else Sex.MALE
    travellers = [_Traveller(Rel.PRINCIPAL, sex, age)]
    if spouse:
        other = Sex.FEMALE if sex == Sex.MALE else Sex.MALE
        travellers.append(_Traveller(Rel.SPOUSE, other, max(18, age + rng.randint(-6, 4))))
    for _child in range(rng.choice([1, 1, 2, 2, 3])):
        child_age = rng.randint(0, min(17, age - 18))
        travellers.append(_Traveller(Rel.CHILD, rng.choice([Sex.FEMALE, Sex.MALE]), child_age))
    return travellers


def _days(value: float) -> datetime.timedelta:
    return datetime.timedelta(days=value)


def _timeline(rng: random.Random, plan: _Plan, now: datetime.datetime) -> None:
    """The case's history: gaps like in life (application to departure in 20 to 90 days), ending
    in "closed" (or "withdrawn" before departure), never after ``now``."""
    departure = plan.departure
    # Application to departure, split into approval, travel preparation, ready, departure.
    total = rng.randint(20, 90)
    weights = [rng.uniform(2, 5), rng.uniform(0.2, 0.6), rng.uniform(3, 7), rng.uniform(0.5, 2)]
    submitted = departure - _days(total + rng.uniform(0, 0.3))
    moments = [submitted]
    for weight in weights[:-1]:
        moments.append(moments[-1] + _days(total * weight / sum(weights)))
    counselling = submitted - _days(rng.uniform(5, 35))
    plan.registered = counselling - _days(rng.uniform(1, 10))
    before = list(zip(_BEFORE_DEPARTURE[1:], [counselling, *moments], strict=True))
    if plan.withdrawn:
        stop = rng.choices([2, 3, 4], [50, 30, 20])[0]  # after counselling, submission, approval
        plan.steps = before[:stop]
        last = plan.steps[-1][1]
        withdrawn = min(last + _days(rng.uniform(2, 20)), now - datetime.timedelta(hours=1))
        plan.steps.append((S.WITHDRAWN, max(withdrawn, last + datetime.timedelta(minutes=5))))
        return
    arrived = departure + datetime.timedelta(hours=rng.uniform(4, 30))
    after: list[tuple[Status, datetime.datetime]] = [(S.DEPARTED, departure), (S.ARRIVED, arrived)]
    if plan.programme == Programme.AVR:  # no reintegration: closed once arrived
        after.append((S.CLOSED, arrived + _days(rng.uniform(2, 20))))
    else:
        planning = arrived + _days(rng.uniform(3, 14))
        assistance = planning + _days(rng.uniform(10, 40))
        monitoring = assistance + _days(rng.uniform(30, 120))
        after += [
            (S.REINTEGRATION_PLANNING, planning),
            (S.REINTEGRATION_ASSISTANCE, assistance),
            (S.MONITORING, monitoring),
            (S.CLOSED, monitoring + _days(rng.uniform(30, 90))),
        ]
    limit = now - datetime.timedelta(hours=1)
    kept = [(status, moment) for status, moment in after if moment <= limit]
    if kept[-1][0] == S.CLOSED:
        plan.closure_reason = (
            ClosureReason.COMPLETED
            if rng.random() < 0.9
            else rng.choice([ClosureReason.CHOSE_TO_STOP, ClosureReason.LEFT_AREA])
        )
    else:  # a recent return: closed early, from wherever it had got to (an allowed move)
        last = kept[-1][1]
        kept.append((S.CLOSED, last + (limit - last) * rng.uniform(0.3, 0.95)))
        plan.closure_reason = rng.choice(
            [ClosureReason.ABRUPT_EXIT, ClosureReason.CHOSE_TO_STOP, ClosureReason.LEFT_AREA]
        )
    plan.steps = [*before, *kept]


def _plans(offices: list[Office], now: datetime.datetime) -> list[_Plan]:
    rng = random.Random(2424)  # noqa: S311 (synthetic demo data, not a secret)
    local_now = timezone.localtime(now)
    plans: list[_Plan] = []
    for office in offices:
        for number in range(1, HISTORICAL_CASES[office.code] + 1):
            category = _pick(rng, _CATEGORIES)
            programme = _pick(rng, _PROGRAMMES)
            if category == Category.UNACCOMPANIED_CHILD:
                programme = Programme.AVRR
            day = local_now - _days(rng.randint(MIN_DAYS_AGO, WINDOW_DAYS))
            departure = day.replace(
                hour=rng.randint(6, 20), minute=rng.choice([0, 15, 30, 45]), second=0, microsecond=0
            )
            plan = _Plan(
                office=office,
                number=number,
                country=_pick(rng, _COUNTRIES[office.code]),
                programme=programme,
                category=category,
                travellers=_travellers(rng, category),
                departure=min(departure, local_now - _days(MIN_DAYS_AGO)),
                withdrawn=rng.random() < WITHDRAWN_SHARE,
            )
            _timeline(rng, plan, now)
            plans.append(plan)
    return plans


def _born(rng: random.Random, age: int, on: datetime.date) -> datetime.date:
    """A date of birth giving ``age`` (in whole years) on ``on``."""
    return on - _days(int(age * 365.25) + rng.randint(15, 340))


def _demo_users() -> dict[str, User | None]:
    from wayhome.core.management.commands.seed_demo import demo_email

    roles = ("caseworker", "manager", "operations", "reintegration")
    return {role: User.objects.filter(email=demo_email(role)).first() for role in roles}


def _actor_role(target: Status) -> str:
    if target == S.APPROVED:
        return "manager"
    if target in (S.TRAVEL_PREPARATION, S.READY_TO_DEPART, S.DEPARTED, S.ARRIVED):
        return "operations"
    if target in (S.REINTEGRATION_PLANNING, S.REINTEGRATION_ASSISTANCE, S.MONITORING):
        return "reintegration"
    return "caseworker"


def _column(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    found = model._meta.get_field(name)
    if not isinstance(found, models.Field):  # pragma: no cover - a programming error
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return found


def _set_times(model: type[models.Model], names: list[str], rows: list[list[Any]]) -> None:
    """Sets the columns ``names`` of the rows ``[pk, value, ...]`` in one ``executemany``: the
    times that ``auto_now_add``/``auto_now`` overwrote (``bulk_update`` builds a CASE expression
    per row, which took most of the step's time)."""
    quote = connection.ops.quote_name
    fields = [_column(model, name) for name in names]
    pk = _column(model, "id")
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    # Only the model's own table and column names are formatted in; the values are parameters.
    table = quote(model._meta.db_table)
    sql = f"UPDATE {table} SET {assignments} WHERE {quote(pk.column)} = %s"  # noqa: S608
    params = [
        [
            *(f.get_db_prep_value(v, connection) for f, v in zip(fields, values, strict=True)),
            pk.get_db_prep_value(key, connection),
        ]
        for key, *values in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _save(model: type[M], objs: list[M]) -> None:
    """``bulk_create`` keeping the creation and update times given (bulk_create applies
    ``auto_now_add``/``auto_now``: every time becomes now)."""
    times = [(obj.pk, obj.created_at, obj.updated_at) for obj in objs]
    model._default_manager.bulk_create(objs, batch_size=BATCH)
    _set_times(model, ["created_at", "updated_at"], [list(row) for row in times])
    for obj, (_pk, created, updated) in zip(objs, times, strict=True):
        obj.created_at, obj.updated_at = created, updated


def _create(plans: list[_Plan]) -> int:
    """Writes the planned cases; the number of records created."""
    rng = random.Random(4848)  # noqa: S311 (synthetic demo data, not a secret)
    users = _demo_users()
    origins = {
        office.country: office
        for office in Office.objects.filter(kind=Office.Kind.ORIGIN).order_by("code")
    }
    people: list[Person] = []
    cases: list[Case] = []
    members: list[CaseMember] = []
    transitions: list[tuple[CaseTransition, datetime.datetime]] = []
    arrivals: list[Arrival] = []
    closures: list[Closure] = []
    for plan in plans:
        regions, places = _DESTINATIONS.get(plan.country, ([], []))
        men, women, families = _NAMES[plan.country]
        family_name = rng.choice(families)
        on = plan.departure.date()
        persons: list[Person] = []
        for traveller in plan.travellers:
            given = rng.choice(men if traveller.sex == Sex.MALE else women)
            family = family_name if traveller.relationship != Rel.SPOUSE else rng.choice(families)
            born = _born(rng, traveller.age, on)
            # Like person_create (people/services.py) but without its MatchKeys: the duplicate
            # detection's blocking keys are not needed for historical demo people.
            persons.append(
                Person(
                    office=plan.office,
                    given_name=given,
                    family_name=family,
                    date_of_birth=born,
                    sex=traveller.sex,
                    nationality=plan.country,
                    name_index=name_index(given, family),
                    dob_index=date_of_birth_index(born),
                    created_at=plan.registered,
                    updated_at=plan.registered,
                )
            )
        people += persons
        status, closed_at = plan.steps[-1]
        submitted = any(step == S.APPLICATION_SUBMITTED for step, _m in plan.steps)
        case = Case(
            reference=f"{HISTORY_PREFIX}{plan.office.code}-{plan.number:04d}",
            office=plan.office,
            programme=plan.programme,
            category=plan.category,
            status=status,
            principal=persons[0],
            destination_country=plan.country,
            destination_region=rng.choice(regions) if regions else "",
            destination_place=rng.choice(places) if places else "",
            funding_source=_pick(rng, _FUNDING),
            submitted_by=users["caseworker"] if submitted else None,
            status_changed_at=closed_at,
            created_at=plan.registered,
            updated_at=closed_at,
        )
        cases.append(case)
        for person, traveller in zip(persons, plan.travellers, strict=True):
            members.append(
                CaseMember(
                    case=case,
                    person=person,
                    relationship=traveller.relationship,
                    created_at=plan.registered,
                    updated_at=plan.registered,
                )
            )
        source = S.REGISTERED
        for target, moment in plan.steps:
            step = CaseTransition(
                case=case,
                source=source,
                target=target,
                actor=users[_actor_role(target)],
                reason=_WITHDRAWN_REASON if target == S.WITHDRAWN else "",
            )
            transitions.append((step, moment))
            source = target
        if plan.withdrawn:
            continue
        reached = dict(plan.steps)
        origin = origins.get(plan.country)
        arrivals.append(
            Arrival(
                case=case,
                arrived_on=timezone.localtime(reached[S.ARRIVED]).date(),
                confirmed_by=ConfirmedBy.ORIGIN_OFFICE if origin else ConfirmedBy.HOST_OFFICE,
                reception_details=_RECEPTION,
                office=origin or plan.office,
                recorded_by=users["reintegration" if origin else "operations"],
                created_at=reached[S.ARRIVED],
                updated_at=reached[S.ARRIVED],
            )
        )
        closures.append(
            Closure(
                case=case,
                reason=plan.closure_reason,
                closed_from=plan.steps[-2][0],
                office=origin or plan.office,
                closed_by=users["reintegration" if origin else "caseworker"],
                created_at=closed_at,
                updated_at=closed_at,
            )
        )
    _save(Person, people)
    _save(Case, cases)
    _save(CaseMember, members)
    # The primary keys come back from bulk_create (PostgreSQL, SQLite 3.35 or later): needed
    # by bulk_update.
    CaseTransition.objects.bulk_create([step for step, _m in transitions], batch_size=BATCH)
    _set_times(CaseTransition, ["occurred_at"], [[step.pk, moment] for step, moment in transitions])
    _save(Arrival, arrivals)
    _save(Closure, closures)
    mark_stale(case.pk for case in cases)
    made = len(people) + len(cases) + len(members) + len(transitions)
    return made + len(arrivals) + len(closures)


def seed_statistics(ctx: Any) -> int:
    """Adds the historical returns to the demo host offices unless they exist already, then
    brings the statistics' facts up to date (for every stale case: the other steps' too).
    Returns the number of records created (0 when the historical cases exist already)."""
    offices = list(Office.objects.filter(code__in=list(HISTORICAL_CASES)).order_by("code"))
    created = 0
    history = Case.objects.filter(reference__startswith=HISTORY_PREFIX)
    if len(offices) == len(HISTORICAL_CASES) and not history.exists():
        with transaction.atomic():
            created = _create(_plans(offices, timezone.now()))
    facts_sync()
    return created
