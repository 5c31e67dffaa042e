"""Base models shared by every app."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models


class BaseModel(models.Model):
    """A UUID primary key, creation and update times, and a version for optimistic concurrency.

    UUIDs keep identifiers unguessable in URLs and let offices create records without a shared
    sequence. ``version`` is incremented by the services that edit a record; a stale edit (one
    whose version differs from the stored one) is refused, never silently overwritten.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class Counter(models.Model):
    """The last number handed out in a scope (see ``wayhome.core.sequences``)."""

    scope = models.CharField(max_length=120, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.scope}: {self.value}"


class RateCount(models.Model):
    """Requests counted in one fixed window for one scope and key (see ``wayhome.core.ratelimit``).

    The key is a keyed digest (of an address, a reference code...), never the value itself."""

    scope = models.CharField(max_length=60)
    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["scope", "key", "window_start"], name="unique_rate")
        ]
        indexes: ClassVar = [models.Index(fields=["window_start"], name="rate_window")]

    def __str__(self) -> str:
        return f"{self.scope} {self.window_start:%Y-%m-%d %H:%M}: {self.count}"
