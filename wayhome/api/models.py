"""Personal API tokens.

A token is ``wh_`` followed by 32 random bytes (URL-safe base64). Only its SHA-256 digest is
stored, with a short prefix that the owner can recognise. A fast hash is right here, unlike for
passwords: the secret has 256 bits of entropy, so no dictionary or brute-force attack on the
digest is possible, and a slow hash (Argon2) would only slow every API request down.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.core.fields import EncryptedBinaryField
from wayhome.core.models import BaseModel


class ApiToken(BaseModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired


class IdempotencyRecord(models.Model):
    """The answer to a create sent with an ``Idempotency-Key`` (see wayhome/api/idempotency.py).

    ``scope`` is the SHA-256 of the request's credentials, so that keys of different clients
    never meet. The record is written in the transaction of the request it answers (never a
    marker before it). The stored answer names people, so it is encrypted like any personal
    value.
    """

    id = models.BigAutoField(primary_key=True)
    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    body = EncryptedBinaryField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_once"),
        ]

    def __str__(self) -> str:
        return f"{self.scope[:8]}…/{self.key}"
