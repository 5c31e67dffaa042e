"""``Idempotency-Key`` for every POST under /api/v1/: a retried create is answered, not redone.

A client on a poor connection (a counsellor's laptop in a reception centre) may send a create
twice without knowing whether the first arrived. With the same ``Idempotency-Key`` header, the
second request gets the first one's answer (status and body, with ``Idempotent-Replayed: true``)
and nothing is created again. The rules, as in the IETF draft "The Idempotency-Key HTTP Header
Field":

- Keys are scoped to the credentials sent (the SHA-256 of the ``Authorization`` header), so two
  clients never see each other's answers; a request without credentials is not remembered.
- The same key with a different request (method, path, body) answers 422
  ``idempotency_key_reused``; while the first request runs, a repeat answers 409
  ``idempotency_in_progress`` with ``Retry-After`` (on PostgreSQL; SQLite runs one writer at a
  time, so there the repeat waits for the first and gets its answer).
- Only successful answers (2xx) are kept; after an error the key is free, so the client can fix
  the request and send it again with the same key.
- Answers are kept for ``RETENTION`` (then the key may be used again). The answer is stored
  encrypted.

**No lost and no doubled writes** (ADR 0023): the request runs in one database transaction with
the record of its answer. Whatever happens to the process (a worker killed, a machine rebooted),
either the create and its kept answer are both committed, or neither is: a retry is then either
answered from the record or done for the first time. While it runs, the key is held by a
transaction-scoped advisory lock, which PostgreSQL releases when the transaction ends, including
when the process dies; no marker is ever left behind.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.api.errors import error_response
from wayhome.api.models import IdempotencyRecord

API_PREFIX = "/api/v1/"
HEADER = "Idempotency-Key"
RETENTION = timedelta(hours=24)
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


def _digest(*parts: bytes) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(hashlib.sha256(part).digest())
    return hasher.hexdigest()


def lock_id(scope: str, key: str) -> int:
    """The advisory lock number of a key: 64 bits of a digest, signed as PostgreSQL wants."""
    value = int.from_bytes(bytes.fromhex(_digest(scope.encode(), key.encode()))[:8], "big")
    return value - (1 << 64) if value >= 1 << 63 else value


def _hold(scope: str, key: str) -> bool:
    """Takes the key for this transaction; False when another running request holds it."""
    if connection.vendor != "postgresql":
        return True  # SQLite: the transaction already holds the only write lock
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [lock_id(scope, key)])
        (held,) = cursor.fetchone()
    return bool(held)


def _earlier(scope: str, key: str) -> IdempotencyRecord | None:
    """The kept answer for the key, if any and not expired (an expired one is removed)."""
    earlier = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
    if earlier is not None and earlier.created_at < timezone.now() - RETENTION:
        earlier.delete()
        return None
    return earlier


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        credentials = request.headers.get("Authorization", "")
        if (
            key is None
            or request.method != "POST"
            or not request.path.startswith(API_PREFIX)
            or not credentials
        ):
            return self.get_response(request)
        if not _VALID_KEY.match(key):
            return error_response(
                400,
                code="invalid_idempotency_key",
                message=_("The Idempotency-Key must be 1 to 255 visible ASCII characters."),
            )
        scope = _digest(credentials.encode())
        fingerprint = _digest(
            request.method.encode(), request.get_full_path().encode(), request.body
        )
        with transaction.atomic():
            if not _hold(scope, key):
                return self._in_progress()
            earlier = _earlier(scope, key)
            if earlier is not None:
                return self._answer_repeat(earlier, fingerprint)
            response = self.get_response(request)
            if (
                200 <= response.status_code < 300
                and not getattr(response, "streaming", False)
                and not transaction.get_rollback()
            ):
                IdempotencyRecord.objects.create(
                    scope=scope,
                    key=key,
                    fingerprint=fingerprint,
                    status_code=response.status_code,
                    content_type=response.get("Content-Type", ""),
                    body=response.content,
                )
        return response

    @staticmethod
    def _in_progress() -> HttpResponse:
        response = error_response(
            409,
            code="idempotency_in_progress",
            message=_("A request with this Idempotency-Key is still being processed."),
        )
        response["Retry-After"] = "1"
        return response

    @staticmethod
    def _answer_repeat(earlier: IdempotencyRecord, fingerprint: str) -> HttpResponse:
        if earlier.fingerprint != fingerprint:
            return error_response(
                422,
                code="idempotency_key_reused",
                message=_("This Idempotency-Key was used for a different request."),
            )
        replay = HttpResponse(
            bytes(earlier.body or b""),
            status=earlier.status_code,
            content_type=earlier.content_type or "application/json",
        )
        replay["Idempotent-Replayed"] = "true"
        return replay
