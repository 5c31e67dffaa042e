"""A create retried with the same Idempotency-Key is answered once and done once."""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client

from tests.conftest import Personas
from wayhome.api.idempotency import lock_id
from wayhome.api.models import IdempotencyRecord
from wayhome.api.services import token_issue
from wayhome.people.models import Person

pytestmark = pytest.mark.django_db
URL = "/api/v1/people"


def bearer(personas: Personas) -> str:
    _token, secret = token_issue(actor=None, user=personas.caseworker_a, name="tests")
    return f"Bearer {secret}"


def post(auth: str, body: dict[str, Any], key: str | None = None) -> Any:
    headers = {"Authorization": auth}
    if key is not None:
        headers["Idempotency-Key"] = key
    return Client().post(URL, json.dumps(body), content_type="application/json", headers=headers)


def person(personas: Personas, family_name: str = "Okafor") -> dict[str, Any]:
    return {
        "office_id": str(personas.office_a.pk),
        "given_name": "Ngozi",
        "family_name": family_name,
    }


def test_a_retried_create_is_answered_once_and_done_once(personas: Personas) -> None:
    auth = bearer(personas)
    first = post(auth, person(personas), key="create-ngozi-1")
    again = post(auth, person(personas), key="create-ngozi-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Person.objects.count() == 1


def test_without_a_key_each_request_creates(personas: Personas) -> None:
    auth = bearer(personas)
    post(auth, person(personas))
    post(auth, person(personas))
    assert Person.objects.count() == 2


def test_the_same_key_for_another_request_is_refused(personas: Personas) -> None:
    auth = bearer(personas)
    post(auth, person(personas), key="k")
    other = post(auth, person(personas, "Eze"), key="k")
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Person.objects.count() == 1


def test_keys_of_different_clients_never_meet(personas: Personas) -> None:
    post(bearer(personas), person(personas), key="shared")
    second = post(bearer(personas), person(personas), key="shared")
    assert second.status_code == 201
    assert "Idempotent-Replayed" not in second
    assert Person.objects.count() == 2


def test_after_an_error_the_key_is_free_for_the_corrected_request(personas: Personas) -> None:
    auth = bearer(personas)
    bad = post(auth, person(personas) | {"nationality": "XX"}, key="fix-me")
    assert bad.status_code == 422
    fixed = post(auth, person(personas) | {"nationality": "NG"}, key="fix-me")
    assert fixed.status_code == 201
    assert Person.objects.count() == 1


@pytest.mark.postgres_only  # SQLite runs one writer at a time: there the repeat waits its turn
@pytest.mark.django_db(transaction=True)
def test_a_repeat_while_the_first_runs_is_told_to_wait(personas: Personas) -> None:
    auth = bearer(personas)
    scope = hashlib.sha256(hashlib.sha256(auth.encode()).digest()).hexdigest()
    held = threading.Event()
    release = threading.Event()

    def first_request_running() -> None:  # another worker's transaction holding the key
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id(scope, "slow")])
                held.set()
                release.wait(10)
        finally:
            connection.close()

    worker = threading.Thread(target=first_request_running)
    worker.start()
    try:
        assert held.wait(10)
        repeat = post(auth, person(personas), key="slow")
    finally:
        release.set()
        worker.join()
    assert repeat.status_code == 409
    assert repeat.json()["error"]["code"] == "idempotency_in_progress"
    assert repeat["Retry-After"] == "1"
    assert not Person.objects.exists()
    after = post(auth, person(personas), key="slow")  # the key is free once the other ended
    assert after.status_code == 201


def test_a_create_that_fails_after_its_write_keeps_neither(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer is recorded in the create's transaction: when recording fails, the person
    is not created either, so a retry creates it once."""
    auth = bearer(personas)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the process died here")

    monkeypatch.setattr(IdempotencyRecord.objects, "create", broken)
    client = Client(raise_request_exception=False)
    headers = {"Authorization": auth, "Idempotency-Key": "crash"}
    body = json.dumps(person(personas))
    crashed = client.post(URL, body, content_type="application/json", headers=headers)
    assert crashed.status_code == 500
    assert not Person.objects.exists()
    monkeypatch.undo()
    retried = post(auth, person(personas), key="crash")
    assert retried.status_code == 201
    assert Person.objects.count() == 1


def test_an_invalid_key_is_refused_in_the_error_shape(personas: Personas) -> None:
    response = post(bearer(personas), person(personas), key="x" * 256)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_idempotency_key"
    assert not Person.objects.exists()


def test_the_kept_answer_is_encrypted(personas: Personas) -> None:
    post(bearer(personas), person(personas, "Canaryname"), key="secret")
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM api_idempotencyrecord")
        (raw,) = cursor.fetchone()
    assert b"Canaryname" not in bytes(raw)
    assert b"Canaryname" in bytes(IdempotencyRecord.objects.get().body or b"")
