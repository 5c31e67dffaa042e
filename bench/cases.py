"""How fast the case workflow runs: opening a case, submitting its application, listing cases.
Runs on a throwaway test database (PostgreSQL with WAYHOME_DATABASE_URL, else SQLite in memory).

    .venv/bin/python bench/cases.py [cases] [calls]        (default 10000 cases, 200 calls)

Prints, each with the stack's own limit and the ratio:

- ``case_create`` per call: a principal and two members (a spouse and a child), the reference
  from its counter, the audit event; limit: one autocommit ``INSERT`` of a case row.
- ``case_transition`` per call, counselling -> application_submitted, on a case whose travellers
  are covered (a session, a declaration per adult, a guardian's consent for the child), so every
  guard registered for the move runs; limit: a transaction with ``SELECT ... FOR UPDATE`` of the
  case, ``UPDATE`` and ``INSERT`` of the transition row.
- the case list (``selectors.case_list`` + ``case_filter`` + ``Paginator``, as the list page and
  ``GET /api/v1/cases`` use them) over ``cases`` cases in one office: the first page of 50 with a
  status filter and without, its count, and the queries per page; limit: a plain ``SELECT`` of
  50 case rows ordered by an indexed column (the reference).

The listed cases are bulk-created (people with their blind indexes and match keys, a principal
member row each, references from the office's counters, which are left where ``case_create``
would continue) over the last two years in a spread of statuses. They have no audit events or
transition rows: the list reads neither.
"""

from __future__ import annotations

import datetime
import os
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.paginator import Paginator  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from tests.consent.factories import cover_travellers  # noqa: E402
from wayhome.accounts.models import Office, RoleGrant, User  # noqa: E402
from wayhome.accounts.permissions import Role  # noqa: E402
from wayhome.cases import selectors  # noqa: E402
from wayhome.cases.models import (  # noqa: E402
    Case,
    CaseMember,
    CaseTransition,
    MigrantCategory,
    Programme,
    Relationship,
)
from wayhome.cases.services import case_create, case_transition  # noqa: E402
from wayhome.cases.workflow import Status, guards  # noqa: E402
from wayhome.core import crypto  # noqa: E402
from wayhome.core.models import Counter  # noqa: E402
from wayhome.people.duplicates import identity_of, match_keys  # noqa: E402
from wayhome.people.models import MatchKey, Person  # noqa: E402

PAGE_SIZE = 50
FILTER_STATUS = Status.COUNSELLING
# Share of the listed cases in each status (per cent): most cases of an office are past departure.
STATUS_WEIGHTS: dict[Status, int] = {
    Status.REGISTERED: 8,
    Status.COUNSELLING: 10,
    Status.APPLICATION_SUBMITTED: 6,
    Status.APPROVED: 5,
    Status.TRAVEL_PREPARATION: 5,
    Status.READY_TO_DEPART: 3,
    Status.DEPARTED: 2,
    Status.ARRIVED: 3,
    Status.REINTEGRATION_PLANNING: 5,
    Status.REINTEGRATION_ASSISTANCE: 8,
    Status.MONITORING: 8,
    Status.CLOSED: 25,
    Status.WITHDRAWN: 6,
    Status.REJECTED: 4,
    Status.ON_HOLD: 2,
}
_BEFORE_SUBMISSION = {Status.REGISTERED, Status.COUNSELLING, Status.WITHDRAWN, Status.ON_HOLD}
GIVEN = ["Amina", "Yusuf", "Fatima", "Omar", "Chioma", "Emeka", "Leila", "Tariq", "Ngozi", "Samir"]
FAMILY = ["Haddad", "Okafor", "Rahimi", "Bello", "Nasser", "Adeyemi", "Karimi", "Mansour", "Eze"]
ADULT_BORN = datetime.date(1985, 4, 2)
CHILD_BORN = datetime.date(2017, 6, 1)

random_ = random.Random(20261201)  # the data are the same on every run


# Data -----------------------------------------------------------------------------------------


def staff(office: Office, email: str) -> User:
    user = User.objects.create_user(email=email, full_name="Bench Caseworker")
    RoleGrant.objects.create(user=user, office=office, role=Role.CASEWORKER)
    return user


def people(office: Office, born: Sequence[datetime.date]) -> list[Person]:
    """People of ``office`` as ``person_create`` leaves them (blind indexes, match keys)."""
    made = []
    for date_of_birth in born:
        person = Person(
            office=office,
            given_name=random_.choice(GIVEN),
            family_name=random_.choice(FAMILY),
            date_of_birth=date_of_birth,
            sex=random_.choice([Person.Sex.FEMALE, Person.Sex.MALE]),
            nationality="NG",
        )
        person.name_index = crypto.name_index(person.given_name, person.family_name)
        person.dob_index = crypto.date_of_birth_index(date_of_birth)
        made.append(person)
    Person.objects.bulk_create(made, batch_size=2000)
    keys = [MatchKey(person=p, key=key) for p in made for key in match_keys(identity_of(p))]
    MatchKey.objects.bulk_create(keys, batch_size=5000)
    return made


@contextmanager
def stored_creation_times() -> Iterator[None]:
    """Lets ``bulk_create`` keep the ``created_at`` given (it is ``auto_now_add``)."""
    field: Any = Case._meta.get_field("created_at")
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = True


def listed_cases(office: Office, worker: User, count: int) -> None:
    """``count`` cases of ``office`` opened over the last two years, in a spread of statuses."""
    now = timezone.now()
    principals = people(office, [ADULT_BORN] * count)
    opened = sorted(
        now - datetime.timedelta(seconds=random_.uniform(0, 730 * 86400)) for _ in principals
    )
    statuses = random_.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()), k=count)
    numbers: dict[int, int] = {}
    cases = []
    for principal, created_at, status in zip(principals, opened, statuses, strict=True):
        numbers[created_at.year] = numbers.get(created_at.year, 0) + 1
        changed = created_at + (now - created_at) * random_.random()
        cases.append(
            Case(
                reference=f"{office.code.upper()}-{created_at.year}-{numbers[created_at.year]:05d}",
                office=office,
                programme=random_.choice(Programme.values),
                category=random_.choice(MigrantCategory.values),
                status=status,
                principal=principal,
                destination_country="NG",
                assigned_to=worker if random_.random() < 0.5 else None,
                submitted_by=None if status in _BEFORE_SUBMISSION else worker,
                held_from=Status.COUNSELLING if status == Status.ON_HOLD else "",
                created_at=created_at,
                status_changed_at=changed,
            )
        )
    with stored_creation_times():
        Case.objects.bulk_create(cases, batch_size=2000)
    CaseMember.objects.bulk_create(
        [
            CaseMember(case=c, person=c.principal, relationship=Relationship.PRINCIPAL)
            for c in cases
        ],
        batch_size=2000,
    )
    for year, last in numbers.items():
        Counter.objects.update_or_create(
            scope=f"case:{office.code}:{year}", defaults={"value": last}
        )
    with connection.cursor() as cursor:  # the statistics autovacuum would gather after a load
        cursor.execute("ANALYZE")


# Raw SQL for the limits -------------------------------------------------------------------------


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def insert_statement(
    model: type[models.Model], objects: Sequence[models.Model]
) -> tuple[str, list[list[Any]]]:
    """``INSERT`` of ``objects`` one row at a time, with the values as the ORM would send them."""
    fields = [f for f in model._meta.local_concrete_fields if not isinstance(f, models.AutoField)]
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    rows = [[f.get_db_prep_save(f.pre_save(o, True), connection) for f in fields] for o in objects]
    return sql, rows


def per_call(function: Callable[[Any], object], items: Sequence[Any]) -> float:
    """Seconds per call of ``function`` over ``items``."""
    started = time.perf_counter()
    for item in items:
        function(item)
    return (time.perf_counter() - started) / len(items)


def queries(function: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


# Figures ----------------------------------------------------------------------------------------


def bench_create(office: Office, worker: User, calls: int) -> tuple[float, float, int, list[Case]]:
    """``case_create`` per call, its queries, and one autocommit ``INSERT`` of a case row."""
    families = people(office, [ADULT_BORN, ADULT_BORN, CHILD_BORN] * (calls + 2))
    groups = [families[i : i + 3] for i in range(0, len(families), 3)]

    def create(group: list[Person]) -> Case:
        principal, spouse, child = group
        return case_create(
            actor=worker,
            office=office,
            principal=principal,
            members=[(spouse, Relationship.SPOUSE), (child, Relationship.CHILD)],
            programme=Programme.AVRR,
            category=MigrantCategory.REJECTED_ASYLUM_SEEKER,
            destination_country="NG",
            destination_region="NG-LA",
        )

    # The first call reads the worker's grants and makes the audit head: the second is counted.
    cases: list[Case] = [create(groups[0])]
    count = queries(lambda: cases.append(create(groups[1])))
    started = time.perf_counter()
    cases.extend(create(group) for group in groups[2:])
    elapsed = (time.perf_counter() - started) / calls

    now = timezone.now()
    rows = [
        Case(
            reference=f"LIMIT-{number:05d}",
            office=office,
            programme=Programme.AVRR,
            category=MigrantCategory.REJECTED_ASYLUM_SEEKER,
            principal=families[0],
            destination_country="NG",
            destination_region="NG-LA",
            status_changed_at=now,
        )
        for number in range(calls)
    ]
    sql, params = insert_statement(Case, rows)
    with connection.cursor() as cursor:
        limit = per_call(lambda row: cursor.execute(sql, row), params)
    Case.objects.filter(reference__startswith="LIMIT-").delete()
    return elapsed, limit, count, cases[1:]


def bench_transition(worker: User, cases: list[Case]) -> tuple[float, float, int]:
    """counselling -> application_submitted per call, its queries, and the SQL it must run."""
    target = Status.APPLICATION_SUBMITTED
    for case in cases:  # not timed: the counselling a case goes through before it may apply
        case_transition(actor=worker, case=case, target=Status.COUNSELLING)
        cover_travellers(worker, case)

    def submit(case: Case) -> None:
        moved = case_transition(actor=worker, case=case, target=target)
        assert moved.status == target

    count = queries(lambda: submit(cases[0]))
    elapsed = per_call(submit, cases[1:])

    for_update = " FOR UPDATE" if connection.features.has_select_for_update else ""
    case_columns = ", ".join(quote(f.column) for f in Case._meta.local_concrete_fields)
    table = quote(Case._meta.db_table)
    lock = f"SELECT {case_columns} FROM {table} WHERE id = %s{for_update}"  # noqa: S608
    update = (
        f"UPDATE {table} SET status = %s, status_changed_at = %s, updated_at = %s, "  # noqa: S608
        "version = version + 1 WHERE id = %s"
    )
    moves = [
        CaseTransition(case=c, source=Status.COUNSELLING, target=target, actor=worker)
        for c in cases[1:]
    ]
    insert, rows = insert_statement(CaseTransition, moves)
    stamp = Case._meta.get_field("status_changed_at").get_db_prep_save(timezone.now(), connection)
    work = [
        (Case._meta.pk.get_db_prep_save(c.pk, connection), row)
        for c, row in zip(cases[1:], rows, strict=True)
    ]

    def minimal(item: tuple[Any, list[Any]]) -> None:
        pk, row = item
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(lock, [pk])
            cursor.fetchone()
            cursor.execute(update, [target, stamp, stamp, pk])
            cursor.execute(insert, row)

    limit = per_call(minimal, work)
    return elapsed, limit, count


def first_page(user: User, status: str, timings: list[list[float]]) -> int:
    """The list page's reads: the user's grants (read once per request), the filtered queryset,
    the count, the first 50 rows and what the table shows of each."""
    started = time.perf_counter()
    cases = selectors.case_filter(
        user, selectors.case_list(user), selectors.CaseFilters(status=status)
    )
    filtered = time.perf_counter()
    page = Paginator(cases, PAGE_SIZE).get_page(1)
    total = page.paginator.count
    counted = time.perf_counter()
    table = [
        (
            case.reference,
            f"{case.principal.family_name}, {case.principal.given_name}",
            case.get_status_display(),
            case.get_category_display(),
            case.destination_country,
            case.office.name,
            str(case.assigned_to or "—"),
            case.status_changed_at,
        )
        for case in page.object_list
    ]
    assert len(table) == min(total, PAGE_SIZE)
    shown = time.perf_counter()
    timings.append([counted - filtered, shown - counted, shown - started])
    return total


def bench_list(reader_id: uuid.UUID, status: str, runs: int) -> tuple[int, int, list[float]]:
    """Matching cases, queries per page, and the mean (count, rows, whole page) in seconds.
    Each page gets the user freshly loaded (not timed), as the session middleware gives it."""
    timings: list[list[float]] = []
    total = first_page(User.objects.get(pk=reader_id), status, timings)  # warms the caches
    user = User.objects.get(pk=reader_id)
    count = queries(lambda: first_page(user, status, []))
    timings.clear()
    for _ in range(runs):
        first_page(User.objects.get(pk=reader_id), status, timings)
    return total, count, [sum(column) / runs for column in zip(*timings, strict=True)]


def list_limit(runs: int) -> float:
    case_columns = ", ".join(quote(f.column) for f in Case._meta.local_concrete_fields)
    sql = (
        f"SELECT {case_columns} FROM {quote(Case._meta.db_table)} "  # noqa: S608
        f"ORDER BY reference DESC LIMIT {PAGE_SIZE}"
    )
    with connection.cursor() as cursor:

        def select(_: int) -> None:
            cursor.execute(sql)
            assert len(cursor.fetchall()) == PAGE_SIZE

        select(0)
        return per_call(select, range(runs))


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    calls = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        office = Office.objects.create(code="ber", name="Berlin", kind="host", country="DE")
        worker = staff(office, "worker@example.org")
        create, create_limit, create_queries, cases = bench_create(office, worker, calls)
        print(
            f"case_create: {create * 1000:.2f} ms per call, {create_queries} queries; "
            f"limit (one autocommit INSERT) {create_limit * 1000:.3f} ms; "
            f"ratio {create / create_limit:.0f}x ({connection.vendor})"
        )
        move, move_limit, move_queries = bench_transition(worker, cases)
        print(
            f"case_transition: {move * 1000:.2f} ms per call, {move_queries} queries; "
            f"limit (SELECT FOR UPDATE + UPDATE + INSERT) {move_limit * 1000:.3f} ms; "
            f"ratio {move / move_limit:.0f}x"
        )
        print(f"  guards: {', '.join(guards.names_for(Status.APPLICATION_SUBMITTED))}")

        listing = Office.objects.create(code="ath", name="Athens", kind="host", country="GR")
        reader = staff(listing, "reader@example.org")
        started = time.perf_counter()
        listed_cases(listing, reader, count)
        print(f"bulk: {count} cases in {time.perf_counter() - started:.1f} s")
        limit = list_limit(1000)
        print(f"limit (SELECT of {PAGE_SIZE} rows ORDER BY reference): {limit * 1000:.3f} ms")
        for status in (FILTER_STATUS, ""):
            total, page_queries, (counting, rows, whole) = bench_list(reader.pk, status, 100)
            print(
                f"case list, status={status or 'any'}: {total} cases; {page_queries} queries; "
                f"count {counting * 1000:.2f} ms, first {PAGE_SIZE} rows {rows * 1000:.2f} ms, "
                f"page {whole * 1000:.2f} ms; ratio {whole / limit:.0f}x"
            )
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)


if __name__ == "__main__":
    main()
