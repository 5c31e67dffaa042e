"""How fast the audit chain is written and verified. Runs on a throwaway test database.

    .venv/bin/python bench/audit_chain.py [events]        (default 200000)

Recorded 2026-11-22 on the development container (PostgreSQL 15, local socket, 200,000 events):
chain_verify 6.2 s (about 32,000 events/s, constant memory: batches of 5,000);
audit_record 3.2 ms per call in autocommit (BEGIN, SELECT ... FOR UPDATE of the tip, INSERT,
UPDATE, COMMIT), i.e. one person-record read costs about one extra round trip of four statements.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from wayhome.audit.chain import chain_verify, event_hash, head_mac  # noqa: E402
from wayhome.audit.models import GENESIS_HASH, AuditEvent, AuditHead  # noqa: E402
from wayhome.audit.services import audit_record  # noqa: E402


def build(count: int, office: uuid.UUID) -> None:
    previous, now, batch = GENESIS_HASH, timezone.now(), []
    for seq in range(1, count + 1):
        fields: dict[str, Any] = {
            "seq": seq,
            "occurred_at": now,
            "actor_id": None,
            "action": "person.view",
            "object_type": "people.person",
            "object_id": str(uuid.uuid4()),
            "office_id": office,
            "request_id": uuid.uuid4().hex,
            "details": {"field_names": ["name", "birth_date"]},
            "prev_hash": previous,
        }
        previous = event_hash(**fields)
        batch.append(AuditEvent(**fields, hash=previous))
        if len(batch) == 10_000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)
    mac = head_mac(seq=count, hash=previous)
    AuditHead.objects.update_or_create(pk=1, defaults={"seq": count, "hash": previous, "mac": mac})


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        office = uuid.uuid4()
        build(count, office)
        started = time.perf_counter()
        checked, broken = chain_verify()
        elapsed = time.perf_counter() - started
        if broken is not None or checked != count:
            raise SystemExit(f"the chain does not verify: {broken}")
        print(f"chain_verify: {count} events in {elapsed:.1f} s ({count / elapsed:,.0f}/s)")
        calls = 1000
        started = time.perf_counter()
        for number in range(calls):
            audit_record(
                actor=None,
                action="person.view",
                object_type="people.person",
                object_id=str(number),
                office_id=office,
            )
        per_call = (time.perf_counter() - started) / calls * 1000
        print(f"audit_record: {per_call:.2f} ms per call ({connection.vendor})")
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)


if __name__ == "__main__":
    main()
