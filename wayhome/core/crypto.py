"""Encryption of personal values and blind indexes for exact look-ups.

Values are encrypted with AES-256-GCM under the keys of ``settings.ENCRYPTION_KEYS``
(``"kid:key,kid:key"``, keys 32 bytes in URL-safe base64): the first key encrypts, every key
decrypts, so a new key is added in front and ``manage.py rotate_keys`` moves old values to it.

A stored value is ``version (1 byte) | key id length (1 byte) | key id | nonce (12 bytes) |
ciphertext and tag``. The nonce is random (96 bits; safe for far more values than one key will
ever encrypt here). The associated data binds the value to its place, for example
``people.person.family_name``, together with the header: a value copied into another column or
another model, a changed key id or a flipped bit all fail authentication. Decryption never
returns wrong data: it returns the value that was encrypted for that place or raises
``DecryptionError``, whose message never contains the value.

What this protects against: a stolen database file, dump or backup without the keys, and values
read by someone with database access but not the application's configuration. What it does not:
an attacker holding the keys (the running application), and the length of a value, which the
ciphertext reveals.

Blind indexes (``blind_index``) are keyed HMAC-SHA256 digests of a normalised value, one key per
purpose derived from ``settings.BLIND_INDEX_KEY`` with HKDF, so that equal values can be found
without decrypting the table and an index of one kind cannot be matched against another.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from anyascii import anyascii
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FORMAT_VERSION = 1
NONCE_SIZE = 12
KEY_SIZE = 32
_AAD_PREFIX = b"wayhome.v1:"
_KID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class DecryptionError(Exception):
    """A stored value could not be decrypted: altered, moved, or under a key we do not hold.

    The message names the place (model and field) and the reason, never the value.
    """


@dataclass(frozen=True)
class KeyRing:
    """The configured keys; ``active`` encrypts, all of ``keys`` decrypt."""

    active: str
    keys: dict[str, bytes]

    def cipher(self, kid: str) -> AESGCM:
        return AESGCM(self.keys[kid])


def parse_keys(raw: str) -> KeyRing:
    """Parses ``"kid:key,kid:key"``; the first entry is the active key."""
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for entry in (part.strip() for part in (raw or "").split(",")):
        if not entry:
            continue
        kid, sep, encoded = entry.partition(":")
        kid = kid.strip()
        if not sep or not _KID_PATTERN.match(kid):
            raise ImproperlyConfigured(
                "WAYHOME_ENCRYPTION_KEYS: each entry is kid:key, the key id made of letters, "
                "digits, '.', '_' or '-' (at most 64)"
            )
        try:
            key = base64.urlsafe_b64decode(encoded.strip() + "=" * (-len(encoded.strip()) % 4))
        except (binascii.Error, ValueError) as exc:
            raise ImproperlyConfigured(
                f"WAYHOME_ENCRYPTION_KEYS: key {kid!r} is not URL-safe base64"
            ) from exc
        if len(key) != KEY_SIZE:
            raise ImproperlyConfigured(
                f"WAYHOME_ENCRYPTION_KEYS: key {kid!r} must be {KEY_SIZE} bytes, not {len(key)}"
            )
        if kid in keys:
            raise ImproperlyConfigured(f"WAYHOME_ENCRYPTION_KEYS: key id {kid!r} appears twice")
        keys[kid] = key
        order.append(kid)
    if not order:
        raise ImproperlyConfigured("WAYHOME_ENCRYPTION_KEYS holds no key")
    return KeyRing(active=order[0], keys=keys)


@lru_cache(maxsize=8)
def _cached_ring(raw: str) -> KeyRing:
    return parse_keys(raw)


def key_ring() -> KeyRing:
    """The key ring of the current settings (cached per settings value)."""
    return _cached_ring(settings.ENCRYPTION_KEYS)


def _header(kid: str) -> bytes:
    encoded = kid.encode("ascii")
    return bytes([FORMAT_VERSION, len(encoded)]) + encoded


def _aad(header: bytes, context: str) -> bytes:
    return _AAD_PREFIX + header + b"|" + context.encode("utf-8")


def encrypt(plaintext: bytes, context: str) -> bytes:
    """Encrypts ``plaintext`` for the place named ``context`` under the active key."""
    ring = key_ring()
    header = _header(ring.active)
    nonce = secrets.token_bytes(NONCE_SIZE)
    return (
        header + nonce + ring.cipher(ring.active).encrypt(nonce, plaintext, _aad(header, context))
    )


def _split(blob: bytes, context: str) -> tuple[str, bytes, bytes, bytes]:
    """(key id, header, nonce, ciphertext) of a stored value, or ``DecryptionError``."""
    if len(blob) < 2 or blob[0] != FORMAT_VERSION:
        raise DecryptionError(f"{context}: not a value in a known encrypted format")
    kid_len = blob[1]
    start = 2 + kid_len
    if kid_len == 0 or len(blob) < start + NONCE_SIZE + 16:
        raise DecryptionError(f"{context}: stored value is truncated")
    try:
        kid = blob[2:start].decode("ascii")
    except UnicodeDecodeError as exc:
        raise DecryptionError(f"{context}: stored key id is malformed") from exc
    return kid, blob[:start], blob[start : start + NONCE_SIZE], blob[start + NONCE_SIZE :]


def key_id_of(blob: bytes, context: str = "value") -> str:
    """The id of the key a stored value is encrypted under (read from its header)."""
    return _split(bytes(blob), context)[0]


def decrypt(blob: bytes, context: str) -> bytes:
    """The plaintext of a value stored for ``context``; ``DecryptionError`` when anything is off."""
    kid, header, nonce, ciphertext = _split(bytes(blob), context)
    ring = key_ring()
    if kid not in ring.keys:
        raise DecryptionError(
            f"{context}: encrypted under key {kid!r}, which is not configured "
            "(WAYHOME_ENCRYPTION_KEYS)"
        )
    try:
        return ring.cipher(kid).decrypt(nonce, ciphertext, _aad(header, context))
    except InvalidTag as exc:
        raise DecryptionError(
            f"{context}: authentication failed (the value was altered, belongs to another field, "
            "or the key is wrong)"
        ) from exc


# Blind indexes ---------------------------------------------------------------------------------

#: Bytes kept of each HMAC digest. 16 bytes (128 bits) keep accidental collisions out of reach
#: (about 2**64 values before one is likely) while halving the index column. Truncation does not
#: protect low-entropy values such as dates of birth against someone holding the key; the key
#: does, since without it no digest can be computed or compared.
BLIND_INDEX_BYTES = 16

PURPOSE_NAME = "person.name"
PURPOSE_DATE_OF_BIRTH = "person.date_of_birth"
PURPOSE_DOCUMENT_NUMBER = "document.number"

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_NOT_DOC = re.compile(r"[^A-Z0-9]+")


@lru_cache(maxsize=32)
def _purpose_key(master: str, purpose: str) -> bytes:
    material = master.encode("utf-8")
    try:
        decoded = base64.urlsafe_b64decode(master + "=" * (-len(master) % 4))
        if len(decoded) >= KEY_SIZE:
            material = decoded
    except (binascii.Error, ValueError):
        pass
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"wayhome blind index",
        info=purpose.encode("utf-8"),
    ).derive(material)


def normalise_name(value: str) -> str:
    """A name as the index sees it: NFKC, transliterated to Latin, case-folded, punctuation and
    runs of spaces made one space, and its words sorted so that the order of given and family
    names does not matter ("Núñez  MARÍA" and "maria nunez" are the same)."""
    text = anyascii(unicodedata.normalize("NFKC", value)).casefold()
    return " ".join(sorted(_NOT_ALNUM.sub(" ", text).split()))


def normalise_date(value: date) -> str:
    return value.isoformat()


def normalise_document_number(value: str) -> str:
    """Upper case, letters and digits only ("ab 12-345" and "AB12345" are the same)."""
    text = anyascii(unicodedata.normalize("NFKC", value)).upper()
    return _NOT_DOC.sub("", text)


def blind_index(purpose: str, normalised: str) -> str:
    """Hex of the truncated HMAC-SHA256 of an already normalised value under the purpose's key;
    empty for an empty value (nothing to look up)."""
    if not normalised:
        return ""
    key = _purpose_key(settings.BLIND_INDEX_KEY, purpose)
    digest = hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).digest()
    return digest[:BLIND_INDEX_BYTES].hex()


def name_index(*parts: str) -> str:
    return blind_index(PURPOSE_NAME, normalise_name(" ".join(p for p in parts if p)))


def date_of_birth_index(value: date | None) -> str:
    return blind_index(PURPOSE_DATE_OF_BIRTH, normalise_date(value)) if value else ""


def document_number_index(value: str) -> str:
    return blind_index(PURPOSE_DOCUMENT_NUMBER, normalise_document_number(value))
