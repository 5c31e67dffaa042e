"""Making and checking token secrets. The secret itself is never stored, logged or audited."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "wh_"  # noqa: S105 (a marker, not a secret)
SECRET_BYTES = 32
# What the owner sees of a token in lists: "wh_" and the first 9 characters of the secret.
PREFIX_LENGTH = len(TOKEN_PREFIX) + 9


def secret_new() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(SECRET_BYTES)


def secret_digest(secret: str) -> str:
    """SHA-256 of the secret (fast on purpose: the secret has 256 random bits, see models.py)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def secret_prefix(secret: str) -> str:
    return secret[:PREFIX_LENGTH]
