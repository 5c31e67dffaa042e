"""Encrypted blobs (wayhome.core.blobs): local storage, chunked framing, and S3 through moto."""

from __future__ import annotations

import io
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import storages

from wayhome.core import blobs
from wayhome.core.blobs import (
    CHUNK_SIZE,
    blob_delete,
    blob_get,
    blob_open,
    blob_put,
    blob_write,
)
from wayhome.core.crypto import DecryptionError

NAME = re.compile(r"^exports/[0-9a-f]{32}$")
SECRET = b"Maria Nunez, born 1990-01-02, case BER-2026-00017"


@pytest.fixture
def local_blobs(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "blobs"
    settings.STORAGES = {
        **settings.STORAGES,
        "blobs": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root},
        },
    }
    return root


def _stored(root: Path, name: str) -> bytes:
    return (root / name).read_bytes()


def test_round_trip_and_the_stored_file_is_ciphertext(local_blobs: Path) -> None:
    name = blob_put(SECRET, kind="exports")
    assert NAME.match(name)
    stored = _stored(local_blobs, name)
    assert stored.startswith(blobs.MAGIC)
    assert b"Maria" not in stored
    assert b"BER-2026" not in stored
    assert blob_get(name) == SECRET


def test_names_are_random_and_carry_no_content(local_blobs: Path) -> None:
    first = blob_put(SECRET, kind="exports")
    second = blob_put(SECRET, kind="exports")
    assert first != second
    assert _stored(local_blobs, first) != _stored(local_blobs, second)  # fresh nonces


def test_empty_content(local_blobs: Path) -> None:
    name = blob_put(b"", kind="exports")
    assert blob_get(name) == b""
    assert list(blob_open(name)) == []


def test_large_content_is_streamed_in_chunks(local_blobs: Path) -> None:
    size = 2 * CHUNK_SIZE + 123

    def pieces() -> Iterator[bytes]:  # odd-sized pieces: the writer re-cuts them
        produced = 0
        while produced < size:
            step = min(300_001, size - produced)
            yield bytes((produced + i) % 251 for i in range(step))
            produced += step

    name = blob_write(pieces(), kind="exports")
    chunks = list(blob_open(name))
    assert [len(c) for c in chunks] == [CHUNK_SIZE, CHUNK_SIZE, 123]
    assert b"".join(chunks) == bytes(i % 251 for i in range(size))


def test_write_from_a_file(local_blobs: Path) -> None:
    data = b"x" * (CHUNK_SIZE + 5)
    name = blob_write(io.BytesIO(data), kind="imports")
    assert name.startswith("imports/")
    assert blob_get(name) == data


def test_exactly_one_chunk_boundary(local_blobs: Path) -> None:
    data = b"y" * CHUNK_SIZE
    name = blob_put(data, kind="exports")
    assert [len(c) for c in blob_open(name)] == [CHUNK_SIZE]


def _rewrite(root: Path, name: str, change: Any) -> None:
    path = root / name
    path.write_bytes(change(path.read_bytes()))


def test_a_flipped_bit_is_refused(local_blobs: Path) -> None:
    name = blob_put(SECRET, kind="exports")
    _rewrite(local_blobs, name, lambda b: b[:-1] + bytes([b[-1] ^ 1]))
    with pytest.raises(DecryptionError, match="authentication failed"):
        blob_get(name)


def test_a_truncated_object_is_refused(local_blobs: Path) -> None:
    name = blob_put(b"z" * (CHUNK_SIZE + 10), kind="exports")
    frame = blobs._FRAME.size + blobs.NONCE_SIZE + 10 + blobs.TAG_SIZE
    _rewrite(local_blobs, name, lambda b: b[:-frame])  # drop the whole final frame
    with pytest.raises(DecryptionError, match="no final chunk"):
        blob_get(name)


def test_a_final_flag_set_on_an_earlier_frame_is_refused(local_blobs: Path) -> None:
    name = blob_put(b"z" * (CHUNK_SIZE + 10), kind="exports")
    header = len(blobs.MAGIC) + 1 + _stored(local_blobs, name)[len(blobs.MAGIC)]
    flag_at = header + 4

    def cut_after_first(data: bytes) -> bytes:
        first_end = header + blobs._FRAME.size + blobs.NONCE_SIZE + CHUNK_SIZE + blobs.TAG_SIZE
        return data[:flag_at] + b"\x01" + data[flag_at + 1 : first_end]

    _rewrite(local_blobs, name, cut_after_first)
    with pytest.raises(DecryptionError, match="authentication failed"):
        blob_get(name)


def test_an_object_copied_under_another_name_is_refused(local_blobs: Path) -> None:
    original = blob_put(SECRET, kind="exports")
    other = blob_put(b"something else", kind="exports")
    (local_blobs / other).write_bytes(_stored(local_blobs, original))
    with pytest.raises(DecryptionError):
        blob_get(other)


def test_old_key_still_decrypts_after_a_new_one_is_added(local_blobs: Path, settings: Any) -> None:
    name = blob_put(SECRET, kind="exports")
    old = settings.ENCRYPTION_KEYS
    settings.ENCRYPTION_KEYS = "k9:" + "A" * 43 + "=," + old
    assert blob_get(name) == SECRET
    settings.ENCRYPTION_KEYS = "k9:" + "A" * 43 + "="
    with pytest.raises(DecryptionError, match="not configured"):
        blob_get(name)


def test_bad_kinds_and_names_are_refused(local_blobs: Path) -> None:
    with pytest.raises(ValueError, match="kind"):
        blob_put(b"x", kind="../etc")
    with pytest.raises(ValueError, match="blob name"):
        blob_get("exports/../../secrets")
    with pytest.raises(ValueError, match="blob name"):
        blob_delete("Maria Nunez.xlsx")


def test_delete(local_blobs: Path) -> None:
    name = blob_put(SECRET, kind="exports")
    blob_delete(name)
    assert not (local_blobs / name).exists()
    blob_delete(name)  # already gone: no error


# --- S3 (django-storages) against moto's server -----------------------------------------------


@pytest.fixture
def s3_blobs(settings: Any) -> Iterator[Any]:
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="eu-central-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(
        Bucket="wayhome-blobs",
        CreateBucketConfiguration={"LocationConstraint": "eu-central-1"},
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "blobs": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "wayhome-blobs",
                "endpoint_url": endpoint,
                "region_name": "eu-central-1",
                "access_key": "testing",
                "secret_key": "testing",
                "location": "test",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    try:
        yield client
    finally:
        # moto keeps its buckets in the process: forget them for the next test.
        reset = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")  # noqa: S310
        urllib.request.urlopen(reset, timeout=10).close()  # noqa: S310
        server.stop()


def test_s3_round_trip_stores_ciphertext_only(s3_blobs: Any) -> None:
    assert storages["blobs"].__class__.__name__ == "S3Storage"
    data = SECRET * 1000 + b"tail"
    name = blob_put(data, kind="exports")
    stored = s3_blobs.get_object(Bucket="wayhome-blobs", Key=f"test/{name}")["Body"].read()
    assert stored.startswith(blobs.MAGIC)
    assert b"Maria" not in stored
    assert len(stored) > len(data)
    assert blob_get(name) == data
    grants = s3_blobs.get_object_acl(Bucket="wayhome-blobs", Key=f"test/{name}")["Grants"]
    assert all("AllUsers" not in str(grant.get("Grantee", {})) for grant in grants)
    blob_delete(name)
    listed = s3_blobs.list_objects_v2(Bucket="wayhome-blobs", Prefix="test/")
    assert listed.get("KeyCount", 0) == 0


def test_s3_streams_several_chunks(s3_blobs: Any) -> None:
    data = bytes(range(256)) * (CHUNK_SIZE // 256) * 2 + b"end"
    name = blob_write(io.BytesIO(data), kind="imports")
    chunks = list(blob_open(name))
    assert [len(c) for c in chunks] == [CHUNK_SIZE, CHUNK_SIZE, 3]
    assert b"".join(chunks) == data
