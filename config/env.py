"""Reading configuration from ``WAYHOME_*`` environment variables.

Every setting an operator may change is read here, with one name, one parser and one default, so
that docs/operations.md can list them from a single place.

Secrets (the Django secret key, the encryption keys, the blind-index key and the audit key) come
from the environment in production. Outside production, when they are not set, they are created
once and kept in ``var/dev-secrets.json`` so that ``make run`` works on a fresh machine and the
demo database stays readable between runs.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

PREFIX = "WAYHOME_"
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def get_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(PREFIX + name, default)


def get_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(PREFIX + name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{PREFIX}{name} must be one of 1/0, true/false, yes/no, on/off")


def get_int(name: str, default: int) -> int:
    raw = os.environ.get(PREFIX + name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{PREFIX}{name} must be a whole number") from exc


def get_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(PREFIX + name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def new_key() -> str:
    """A fresh 256-bit key, URL-safe base64 encoded (the format of every key setting)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def dev_secrets(path: Path) -> dict[str, str]:
    """The secrets of a development installation, created on first use and kept in ``path``."""
    if path.exists():
        data: dict[str, str] = json.loads(path.read_text())
        return data
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ENCRYPTION_KEYS": "k1:" + new_key(),
        "BLIND_INDEX_KEY": new_key(),
        "AUDIT_KEY": new_key(),
    }
    # Written whole under a temporary name, then linked into place: when several processes start
    # at once (parallel test workers), exactly one file wins and nobody reads a half-written one.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    winner: dict[str, str] = json.loads(path.read_text())
    return winner


def secret(name: str, *, production: bool, fallback: dict[str, str] | None) -> str:
    """A secret from the environment; in development, from the generated secrets file."""
    value = get_str(name)
    if value:
        return value
    if production or fallback is None:
        raise ImproperlyConfigured(f"{PREFIX}{name} must be set in production mode")
    return fallback[name]
