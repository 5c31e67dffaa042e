"""Encryption of values and blind indexes (wayhome.core.crypto)."""

from __future__ import annotations

import base64
import datetime
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from config.env import new_key
from wayhome.core import crypto

OLD = base64.urlsafe_b64encode(b"o" * 32).decode()  # fixed: test ids must not vary
NEW = base64.urlsafe_b64encode(b"n" * 32).decode()
CONTEXT = "people.person.family_name"


@pytest.fixture
def two_keys(settings: Any) -> None:
    settings.ENCRYPTION_KEYS = f"new:{NEW},old:{OLD}"


@given(st.binary(max_size=2000))
def test_any_bytes_roundtrip(value: bytes) -> None:
    assert crypto.decrypt(crypto.encrypt(value, CONTEXT), CONTEXT) == value


def test_the_stored_value_carries_version_and_key_id_and_hides_the_value(two_keys: None) -> None:
    stored = crypto.encrypt(b"Amina Yusuf", CONTEXT)
    assert stored[0] == crypto.FORMAT_VERSION
    assert crypto.key_id_of(stored) == "new"
    assert b"Amina" not in stored
    # A random nonce: the same value encrypts differently each time.
    assert stored != crypto.encrypt(b"Amina Yusuf", CONTEXT)


def test_only_the_first_key_encrypts_but_every_key_decrypts(settings: Any) -> None:
    settings.ENCRYPTION_KEYS = f"old:{OLD}"
    under_old = crypto.encrypt(b"value", CONTEXT)
    settings.ENCRYPTION_KEYS = f"new:{NEW},old:{OLD}"
    assert crypto.key_id_of(crypto.encrypt(b"value", CONTEXT)) == "new"
    assert crypto.decrypt(under_old, CONTEXT) == b"value"


@pytest.mark.parametrize("position", [0, 1, 2, 5, 20, -1])
def test_a_flipped_bit_anywhere_fails_loudly(two_keys: None, position: int) -> None:
    stored = bytearray(crypto.encrypt(b"Secret Name", CONTEXT))
    stored[position] ^= 0x01
    with pytest.raises(crypto.DecryptionError) as info:
        crypto.decrypt(bytes(stored), CONTEXT)
    assert "Secret" not in str(info.value)


def test_a_value_moved_to_another_field_does_not_decrypt(two_keys: None) -> None:
    stored = crypto.encrypt(b"Yusuf", "people.person.family_name")
    with pytest.raises(crypto.DecryptionError, match=r"people\.person\.given_name"):
        crypto.decrypt(stored, "people.person.given_name")


def test_an_unknown_key_id_fails_and_names_the_key(settings: Any) -> None:
    settings.ENCRYPTION_KEYS = f"gone:{OLD}"
    stored = crypto.encrypt(b"Yusuf", CONTEXT)
    settings.ENCRYPTION_KEYS = f"new:{NEW}"
    with pytest.raises(crypto.DecryptionError, match=r"'gone'.*not configured") as info:
        crypto.decrypt(stored, CONTEXT)
    assert "Yusuf" not in str(info.value)


def test_a_wrong_key_under_the_same_id_fails(settings: Any) -> None:
    settings.ENCRYPTION_KEYS = f"k:{OLD}"
    stored = crypto.encrypt(b"Yusuf", CONTEXT)
    settings.ENCRYPTION_KEYS = f"k:{NEW}"
    with pytest.raises(crypto.DecryptionError, match="authentication failed"):
        crypto.decrypt(stored, CONTEXT)


@pytest.mark.parametrize("stored", [b"", b"\x01", b"\x02\x01k" + b"\0" * 40, b"\x01\x05k1"])
def test_garbage_is_refused(stored: bytes) -> None:
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(stored, CONTEXT)


@pytest.mark.parametrize(
    "raw",
    ["", "nokey", "k1:short", f"k 1:{NEW}", f"k1:{NEW},k1:{OLD}", "k1:!!!notbase64!!!"],
)
def test_bad_key_settings_are_refused(raw: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        crypto.parse_keys(raw)


def test_key_settings_parse_in_order() -> None:
    ring = crypto.parse_keys(f" b:{NEW} , a:{OLD} ")
    assert ring.active == "b"
    assert set(ring.keys) == {"a", "b"}


# Blind indexes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        "Amina Núñez",
        "AMINA NUNEZ",
        "  amina   núñez ",
        "Núñez Amina",
        "\uff21\uff4d\uff49\uff4e\uff41 Nuñez",  # full-width letters (NFKC)
        "amina-nunez",
        "amina\tnunez",
    ],
)
def test_name_index_ignores_case_accents_spacing_and_order(variant: str) -> None:
    assert crypto.name_index(variant) == crypto.name_index("amina", "nunez")


@pytest.mark.parametrize("other", ["Amina Nune", "Amina Núñez Diaz", "Amira Nunez", ""])
def test_name_index_tells_other_names_apart(other: str) -> None:
    assert crypto.name_index(other) != crypto.name_index("Amina Núñez")


def test_names_in_other_scripts_are_transliterated() -> None:
    assert crypto.normalise_name("Алексей Иванов") == "aleksey ivanov"
    assert crypto.name_index("Алексей Иванов") == crypto.name_index("IVANOV Aleksey")


def test_indexes_of_different_purposes_differ_for_the_same_text() -> None:
    text = "1990-01-02"
    assert crypto.blind_index(crypto.PURPOSE_NAME, text) != crypto.blind_index(
        crypto.PURPOSE_DATE_OF_BIRTH, text
    )


def test_index_is_keyed_and_truncated(settings: Any) -> None:
    first = crypto.date_of_birth_index(datetime.date(1990, 1, 2))
    assert len(first) == crypto.BLIND_INDEX_BYTES * 2
    settings.BLIND_INDEX_KEY = new_key()
    assert crypto.date_of_birth_index(datetime.date(1990, 1, 2)) != first


def test_document_numbers_normalise_to_upper_alphanumerics() -> None:
    assert crypto.normalise_document_number(" ab 12-345 ") == "AB12345"
    assert crypto.document_number_index("ab 12-345") == crypto.document_number_index("AB12345")
    assert crypto.document_number_index("AB12346") != crypto.document_number_index("AB12345")


def test_empty_values_have_no_index() -> None:
    assert crypto.name_index("", "  ") == ""
    assert crypto.date_of_birth_index(None) == ""
