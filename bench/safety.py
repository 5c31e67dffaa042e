"""How long suspending a destination takes when it holds many cases at once (and lifting it).
Runs on a throwaway test database.

    WAYHOME_DATABASE_URL=postgres://postgres@127.0.0.1:55436/wayhome_bench \\
        .venv/bin/python bench/safety.py [cases]        (default 10000)

Each operation is one transaction: the cases are locked and updated in bulk, and one
``CaseTransition`` row and one chained audit event are written per case (``audit_record_many``).
The limit is the least such an operation must write, rolled back afterwards: one ``UPDATE`` of
the cases and bulk ``INSERT``s of a transition row and an (unchained) audit row per case.
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from wayhome.accounts.models import Office, RoleGrant, User  # noqa: E402
from wayhome.accounts.permissions import Role  # noqa: E402
from wayhome.audit.chain import chain_verify  # noqa: E402
from wayhome.audit.models import AuditEvent  # noqa: E402
from wayhome.cases.models import Case, CaseTransition  # noqa: E402
from wayhome.cases.workflow import Status  # noqa: E402
from wayhome.people.models import Person  # noqa: E402
from wayhome.safety.services import restriction_record  # noqa: E402

STATUSES = [
    Status.REGISTERED,
    Status.COUNSELLING,
    Status.APPLICATION_SUBMITTED,
    Status.APPROVED,
    Status.TRAVEL_PREPARATION,
    Status.READY_TO_DEPART,
]


def build(count: int) -> User:
    office = Office.objects.create(code="bench", name="Bench", country="DE")
    officer = User.objects.create(email="safety@example.org", full_name="Safety")
    RoleGrant.objects.create(user=officer, office=office, role=Role.SAFETY)
    principal = Person.objects.create(office=office, given_name="A", family_name="B")
    now = timezone.now()
    cases = [
        Case(
            reference=f"BENCH-{number:06d}",
            office=office,
            programme="AVRR",
            category="stranded",
            status=STATUSES[number % len(STATUSES)],
            principal=principal,
            destination_country="AF",
            status_changed_at=now,
        )
        for number in range(count)
    ]
    # Noise: other countries and cases after departure, which the suspension must not touch.
    cases += [
        Case(
            reference=f"NOISE-{number:06d}",
            office=office,
            programme="AVRR",
            category="stranded",
            status=Status.DEPARTED if number % 2 else Status.REGISTERED,
            principal=principal,
            destination_country="AF" if number % 2 else "IQ",
            status_changed_at=now,
        )
        for number in range(count // 10)
    ]
    Case.objects.bulk_create(cases, batch_size=5000)
    return officer


def limit(count: int) -> float:
    """Seconds for the bare writes of a suspension of ``count`` cases (then rolled back)."""
    ids = list(Case.objects.filter(reference__startswith="BENCH-").values_list("pk", flat=True))
    now = timezone.now()
    first = (AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    with transaction.atomic():
        started = time.perf_counter()
        Case.objects.filter(pk__in=ids).update(status=Status.ON_HOLD)
        CaseTransition.objects.bulk_create(
            [CaseTransition(case_id=pk, source="registered", target="on_hold") for pk in ids],
            batch_size=2000,
        )
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    seq=first + n,
                    occurred_at=now,
                    action="case.transition",
                    object_type="cases.case",
                    object_id=str(pk),
                    prev_hash="0" * 64,
                    hash="0" * 64,
                )
                for n, pk in enumerate(ids)
            ],
            batch_size=2000,
        )
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    if len(ids) != count:
        raise SystemExit(f"limit wrote {len(ids)} cases, expected {count}")
    return elapsed


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        officer = build(count)
        started = time.perf_counter()
        version, result = restriction_record(
            actor=officer,
            country="AF",
            programmes=["AVRR"],
            status="suspended",
            valid_from=timezone.localdate() - datetime.timedelta(days=1),
            reason="Bench",
            source="Bench",
            approved_by=officer,
        )
        suspend = time.perf_counter() - started
        if len(result.held) != count:
            raise SystemExit(f"held {len(result.held)} cases, expected {count}")
        print(f"suspension: {count} cases held in {suspend:.2f} s ({connection.vendor})")
        started = time.perf_counter()
        _lifted, result = restriction_record(
            actor=officer,
            previous=version,
            programmes=["AVRR"],
            status="open",
            valid_from=timezone.localdate(),
            reason="Bench lifted",
            source="Bench",
            approved_by=officer,
        )
        lift = time.perf_counter() - started
        if len(result.released) != count:
            raise SystemExit(f"released {len(result.released)} cases, expected {count}")
        print(f"lifting: {count} cases released in {lift:.2f} s")
        transitions = CaseTransition.objects.count()
        checked, broken = chain_verify()
        if broken is not None or transitions != 2 * count:
            raise SystemExit(f"transitions {transitions}, chain {broken}")
        print(f"transitions: {transitions}; audit chain verified: {checked} events")
        bare = limit(count)
        print(f"limit (bare UPDATE + 2 bulk INSERTs): {bare:.2f} s; ratio {suspend / bare:.1f}x")
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)


if __name__ == "__main__":
    main()
