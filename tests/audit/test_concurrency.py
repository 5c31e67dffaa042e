"""Concurrent writers, each on its own database connection, keep one unbroken chain.

PostgreSQL serialises them on the chain tip (``SELECT ... FOR UPDATE`` of ``AuditHead``); SQLite
serialises every writer (``BEGIN IMMEDIATE`` with a busy timeout). Either way, no two events may
share a number or a predecessor. Meanwhile a verifier walks the chain again and again: events
appended during its walk must never look like tampering.

On SQLite, ``retrying`` plays the busy handler (see tests/concurrency.py).
"""

from __future__ import annotations

import threading
from functools import partial

import pytest
from django.db import connection

from tests.concurrency import retrying
from wayhome.audit.chain import chain_verify
from wayhome.audit.models import AuditEvent
from wayhome.audit.services import audit_record

THREADS = 6
EVENTS_PER_THREAD = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_the_chain_valid() -> None:
    audit_record(actor=None, action="test.start")
    start = threading.Barrier(THREADS + 1)
    errors: list[BaseException] = []
    writing = threading.Event()
    writing.set()
    verified: list[tuple[int, object]] = []

    def writer(number: int) -> None:
        try:
            start.wait()
            for index in range(EVENTS_PER_THREAD):
                object_id = f"{number}-{index}"
                retrying(
                    partial(audit_record, actor=None, action="test.concurrent", object_id=object_id)
                )
        except BaseException as exc:  # reported below, in the main thread
            errors.append(exc)
        finally:
            connection.close()

    def verifier() -> None:
        try:
            start.wait()
            while writing.is_set():
                verified.append(retrying(lambda: chain_verify(batch_size=7)))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    checker = threading.Thread(target=verifier)
    for thread in [*threads, checker]:
        thread.start()
    for thread in threads:
        thread.join()
    writing.clear()
    checker.join()
    assert errors == []
    assert verified
    assert [broken for _checked, broken in verified if broken is not None] == []
    total = 1 + THREADS * EVENTS_PER_THREAD
    assert chain_verify(batch_size=16) == (total, None)
    written = set(
        AuditEvent.objects.filter(action="test.concurrent").values_list("object_id", flat=True)
    )
    assert len(written) == THREADS * EVENTS_PER_THREAD
