"""Large files (imports, exports) encrypted and kept in object storage, not in the database.

``blob_put(content, kind="exports")`` stores bytes and returns the object's name;
``blob_write(chunks, kind=...)`` does the same for an iterable or a file read in pieces, so that a
500 MB export never sits in memory; ``blob_open(name)`` yields the plaintext back chunk by chunk
(for a ``StreamingHttpResponse``), ``blob_get(name)`` returns it whole, ``blob_delete(name)``
removes it. The storage is ``STORAGES["blobs"]``: a directory under ``var/blobs`` by default, an
S3-compatible bucket (django-storages) when ``WAYHOME_S3_BUCKET`` is set.

Names are ``<kind>/<random uuid>``: never a person's name, a case reference or a file name the
user gave. Keep those, if needed, in the database row that points to the blob.

Format (version 1), everything encrypted with AES-256-GCM under the active key of
``WAYHOME_ENCRYPTION_KEYS`` (wayhome.core.crypto)::

    header = b"WHBLOB1" | key id length (1 byte) | key id
    frame  = ciphertext length (4 bytes, big endian) | final (1 byte: 1 on the last frame, else 0)
             | nonce (12 bytes) | ciphertext and tag

The plaintext is cut into chunks of ``CHUNK_SIZE`` bytes; each becomes one frame with a fresh
random nonce. The associated data of a frame binds the header, the object's name, the chunk's
index and whether it is the last chunk, so that frames cannot be reordered, dropped, moved to
another object, and the object cannot be cut short after a frame boundary (the last frame says it
is the last; a stream that ends without it, or goes on after it, is refused). An empty content is
one empty final frame. Decryption raises ``DecryptionError`` and never yields unauthenticated
bytes: each chunk is checked before it is given out (a reader of a damaged object may have
received earlier, authentic, chunks before the error).

Key rotation: ``manage.py rotate_keys`` re-encrypts database values, not blobs. Blobs are
short-lived (exports, import files); keep an old key in ``WAYHOME_ENCRYPTION_KEYS`` until the
blobs written under it have been deleted (docs/operations.md).
"""

from __future__ import annotations

import re
import secrets
import struct
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.files import File
from django.core.files.storage import Storage, storages

from wayhome.core.crypto import NONCE_SIZE, DecryptionError, key_ring

MAGIC = b"WHBLOB1"
CHUNK_SIZE = 1024 * 1024
TAG_SIZE = 16
#: Up to this many bytes of ciphertext are buffered in memory while writing; more spill to a
#: temporary file (holding ciphertext only) before the upload.
SPOOL_MAX = 8 * 1024 * 1024
_FRAME = struct.Struct(">IB")  # ciphertext length, final flag
_KIND = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_NAME = re.compile(r"^(?P<kind>[a-z][a-z0-9_-]{0,39})/[0-9a-f]{32}$")


def blob_storage() -> Storage:
    """The storage of ``STORAGES["blobs"]``."""
    return storages["blobs"]


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise ValueError("not a blob name (kind/uuid)")


def _new_name(kind: str) -> str:
    if not _KIND.match(kind):
        raise ValueError("a blob kind is lower-case letters, digits, '-' or '_' (at most 40)")
    return f"{kind}/{uuid.uuid4().hex}"


def _aad(header: bytes, name: str, index: int, final: bool) -> bytes:
    return (
        b"wayhome.blob.v1:"
        + header
        + b"|"
        + name.encode("ascii")
        + struct.pack(">Q?", index, final)
    )


def _chunks_of(source: bytes | IO[bytes] | Iterable[bytes]) -> Iterator[bytes]:
    """The source re-cut into pieces of exactly ``CHUNK_SIZE`` (the last may be shorter)."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        for start in range(0, len(data), CHUNK_SIZE):
            yield data[start : start + CHUNK_SIZE]
        return
    pieces: Iterable[bytes]
    if hasattr(source, "read"):
        reader: IO[bytes] = source  # type: ignore[assignment]
        pieces = iter(lambda: reader.read(CHUNK_SIZE), b"")
    else:
        pieces = source
    buffer = bytearray()
    for piece in pieces:
        buffer += piece
        while len(buffer) >= CHUNK_SIZE:
            yield bytes(buffer[:CHUNK_SIZE])
            del buffer[:CHUNK_SIZE]
    if buffer:
        yield bytes(buffer)


def _encrypt_to(out: IO[bytes], source: bytes | IO[bytes] | Iterable[bytes], name: str) -> None:
    ring = key_ring()
    kid = ring.active.encode("ascii")
    header = MAGIC + bytes([len(kid)]) + kid
    cipher = ring.cipher(ring.active)
    out.write(header)
    index = 0
    pending: bytes | None = None
    for chunk in _chunks_of(source):
        if pending is not None:
            _write_frame(out, cipher, header, name, index, pending, final=False)
            index += 1
        pending = chunk
    _write_frame(out, cipher, header, name, index, pending or b"", final=True)


def _write_frame(
    out: IO[bytes],
    cipher: AESGCM,
    header: bytes,
    name: str,
    index: int,
    data: bytes,
    *,
    final: bool,
) -> None:
    nonce = secrets.token_bytes(NONCE_SIZE)
    sealed = cipher.encrypt(nonce, data, _aad(header, name, index, final))
    out.write(_FRAME.pack(len(sealed), int(final)) + nonce + sealed)


def blob_write(source: bytes | IO[bytes] | Iterable[bytes], *, kind: str) -> str:
    """Encrypts ``source`` (bytes, a binary file, or an iterable of byte strings) chunk by chunk
    into the blob storage; returns the new object's name ``<kind>/<uuid>``."""
    name = _new_name(kind)
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX) as spool:
        _encrypt_to(spool, source, name)
        spool.seek(0)
        saved = blob_storage().save(name, File(spool, name=name))
    if saved != name:  # a storage that renamed the object would break the associated data
        blob_storage().delete(saved)
        raise RuntimeError("the blob storage renamed a new object")
    return name


def blob_put(content: bytes, *, kind: str) -> str:
    """Encrypts ``content`` and stores it; returns the object's name ``<kind>/<uuid>``."""
    return blob_write(content, kind=kind)


def _read_exactly(handle: IO[bytes], size: int, name: str) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise DecryptionError(f"blob {name}: truncated")
    return data


def blob_open(name: str) -> Iterator[bytes]:
    """The plaintext of a blob, one authenticated chunk at a time (``DecryptionError`` when the
    object was altered, cut short, moved, or is under a key not configured)."""
    _check_name(name)
    handle = blob_storage().open(name, "rb")
    try:
        yield from _decrypt_from(handle, name)
    finally:
        handle.close()


def _decrypt_from(handle: IO[bytes], name: str) -> Iterator[bytes]:
    if handle.read(len(MAGIC)) != MAGIC:
        raise DecryptionError(f"blob {name}: not in a known encrypted format")
    kid_len = _read_exactly(handle, 1, name)[0]
    kid_bytes = _read_exactly(handle, kid_len, name)
    header = MAGIC + bytes([kid_len]) + kid_bytes
    kid = kid_bytes.decode("ascii", errors="replace")
    ring = key_ring()
    if kid not in ring.keys:
        raise DecryptionError(
            f"blob {name}: encrypted under key {kid!r}, which is not configured "
            "(WAYHOME_ENCRYPTION_KEYS)"
        )
    cipher = ring.cipher(kid)
    index = 0
    while True:
        frame = handle.read(_FRAME.size)
        if not frame:
            raise DecryptionError(f"blob {name}: truncated (no final chunk)")
        if len(frame) != _FRAME.size:
            raise DecryptionError(f"blob {name}: truncated")
        length, flag = _FRAME.unpack(frame)
        if not TAG_SIZE <= length <= CHUNK_SIZE + TAG_SIZE or flag not in (0, 1):
            raise DecryptionError(f"blob {name}: malformed chunk")
        final = flag == 1
        nonce = _read_exactly(handle, NONCE_SIZE, name)
        sealed = _read_exactly(handle, length, name)
        try:
            plain = cipher.decrypt(nonce, sealed, _aad(header, name, index, final))
        except InvalidTag as exc:
            raise DecryptionError(
                f"blob {name}: authentication failed (altered, reordered, moved, or wrong key)"
            ) from exc
        if final and handle.read(1):
            raise DecryptionError(f"blob {name}: data after the final chunk")
        if plain:
            yield plain
        if final:
            return
        index += 1


def blob_get(name: str) -> bytes:
    """The whole plaintext of a blob (for small ones; stream big ones with ``blob_open``)."""
    return b"".join(blob_open(name))


def blob_delete(name: str) -> None:
    """Removes a blob (no error if it is already gone)."""
    _check_name(name)
    blob_storage().delete(name)
