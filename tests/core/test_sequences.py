"""Sequences give every caller its own number, also when many ask at once (fifty on
PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from tests.concurrency import retrying
from wayhome.core.models import Counter
from wayhome.core.sequences import next_value


def callers() -> int:
    """Fifty on PostgreSQL. On the suite's SQLite memory database (shared cache), where a
    locked table is reported at once and waiting threads take turns by retrying, ten: fifty
    spinning threads there test the interpreter's scheduling more than the sequence (the test
    failed twice on a loaded machine, every thread past its deadline)."""
    return 50 if connection.vendor == "postgresql" else 10


@pytest.mark.django_db
def test_numbers_count_up_per_scope() -> None:
    assert [next_value("case:BER:2026") for _ in range(3)] == [1, 2, 3]
    assert next_value("case:ATH:2026") == 1
    assert next_value("case:BER:2027") == 1
    assert Counter.objects.get(scope="case:BER:2026").value == 3


@pytest.mark.django_db
def test_a_rolled_back_caller_gives_its_number_back() -> None:
    next_value("scope")

    def create_and_fail() -> None:
        with transaction.atomic():
            assert next_value("scope") == 2
            raise RuntimeError("the record could not be saved")

    with pytest.raises(RuntimeError):
        create_and_fail()
    assert next_value("scope") == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_get_distinct_numbers() -> None:
    count = callers()
    start = threading.Barrier(count)
    numbers: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def caller() -> None:
        try:
            start.wait()
            number = retrying(lambda: next_value("case:BER:2026"))
            with lock:
                numbers.append(number)
        except BaseException as exc:  # reported below, with the others
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=caller) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors[:3]
    assert sorted(numbers) == list(range(1, count + 1))
