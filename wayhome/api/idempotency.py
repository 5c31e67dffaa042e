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
  ``idempotency_in_progress`` with ``Retry-After``.
- Only successful answers (2xx) are kept; after an error the key is free, so the client can fix
  the request and send it again with the same key.
- Answers are kept for ``RETENTION`` (then the key may be used again); a marker left by a request
  that died mid-way is given up after ``ABANDONED``. The answer is stored encrypted.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.api.errors import error_response
from wayhome.api.models import IdempotencyRecord

API_PREFIX = "/api/v1/"
HEADER = "Idempotency-Key"
RETENTION = timedelta(hours=24)
ABANDONED = timedelta(minutes=5)
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


def _digest(*parts: bytes) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(hashlib.sha256(part).digest())
    return hasher.hexdigest()


def _claim(scope: str, key: str, fingerprint: str) -> IdempotencyRecord | None:
    """Creates the in-progress marker; returns the earlier record when the key is taken."""
    now = timezone.now()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.create(scope=scope, key=key, fingerprint=fingerprint)
            return None
        except IntegrityError:
            earlier = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
            if earlier is None:
                continue  # deleted meanwhile: try again
            expired = earlier.created_at < now - RETENTION
            abandoned = earlier.status_code == 0 and earlier.created_at < now - ABANDONED
            if expired or abandoned:
                earlier.delete()
                continue
            return earlier
    raise RuntimeError("could not claim an idempotency key")  # pragma: no cover


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
        earlier = _claim(scope, key, fingerprint)
        if earlier is not None:
            return self._answer_repeat(earlier, fingerprint)
        try:
            response = self.get_response(request)
        except BaseException:
            IdempotencyRecord.objects.filter(scope=scope, key=key, status_code=0).delete()
            raise
        if 200 <= response.status_code < 300 and not getattr(response, "streaming", False):
            IdempotencyRecord.objects.filter(scope=scope, key=key).update(
                status_code=response.status_code,
                content_type=response.get("Content-Type", ""),
                body=response.content,
            )
        else:
            IdempotencyRecord.objects.filter(scope=scope, key=key, status_code=0).delete()
        return response

    @staticmethod
    def _answer_repeat(earlier: IdempotencyRecord, fingerprint: str) -> HttpResponse:
        if earlier.fingerprint != fingerprint:
            return error_response(
                422,
                code="idempotency_key_reused",
                message=_("This Idempotency-Key was used for a different request."),
            )
        if earlier.status_code == 0:
            response = error_response(
                409,
                code="idempotency_in_progress",
                message=_("A request with this Idempotency-Key is still being processed."),
            )
            response["Retry-After"] = "1"
            return response
        replay = HttpResponse(
            bytes(earlier.body or b""),
            status=earlier.status_code,
            content_type=earlier.content_type or "application/json",
        )
        replay["Idempotent-Replayed"] = "true"
        return replay
