"""The duplicate-detection engine on examples a caseworker would recognise."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wayhome.people.matching import (
    DEFAULT_THRESHOLD,
    DobPrecision,
    Identity,
    bucket_keys,
    normalise,
    score,
    skeleton,
)


def person(name: str, born: date | None = date(1990, 3, 14), **extra: object) -> Identity:
    return Identity(names=(name,), date_of_birth=born, **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("written", "latin"),
    [
        ("محمد الحسن", "Mohammed Al-Hassan"),
        ("عبد الله منصور", "Abdullah Mansour"),
        ("Алексей Кузнецов", "Alexei Kuznetsov"),
        ("Наталья Смирнова", "Natalia Smirnowa"),
        ("ገብረመድህን ተስፋይ", "Gebremedhin Tesfaye"),
        ("ዮሃንስ ሃይለ", "Yohannes Haile"),
    ],
)
def test_a_name_in_its_script_matches_its_latin_spelling(written: str, latin: str) -> None:
    a, b = person(written), person(latin)
    assert bucket_keys(a) & bucket_keys(b)
    assert score(a, b).total >= DEFAULT_THRESHOLD


def test_order_typos_missing_parts_and_swapped_dates_still_match() -> None:
    registered = person("Fatima Hussein Al-Obaidi", date(1985, 4, 7), sex="F")
    for later in [
        person("Al-Obaidi Fatima", date(1985, 4, 7), sex="F"),  # family first, a part missing
        person("Fatma Husein Al-Obaidi", date(1985, 7, 4), sex="F"),  # spelling, day/month swap
        person("Fatima Hussien Al-Obaidi", date(1985, 1, 1), dob_precision=DobPrecision.YEAR),
    ]:
        assert bucket_keys(registered) & bucket_keys(later)
        assert score(registered, later).total >= DEFAULT_THRESHOLD, later


def test_different_people_sharing_a_name_are_not_matched() -> None:
    a = person("Mohammed Ali", date(1990, 3, 14))
    assert score(a, person("Mohammed Ali", date(1972, 11, 2))).total < DEFAULT_THRESHOLD
    assert score(a, person("Mohammed Haddad", date(1990, 3, 14))).total < DEFAULT_THRESHOLD
    man = person("Mohammed Ali", date(1990, 3, 14), sex="M")
    assert (
        score(man, person("Mohammed Ali", date(1990, 3, 14), sex="F")).total
        < score(man, person("Mohammed Ali", date(1990, 3, 14), sex="M")).total
    )


def test_normalise_transliterates_and_drops_particles() -> None:
    assert normalise("  Ibn   Al-Hassan ") == ("hassan",)
    assert normalise("Traoré") == ("traore",)
    assert normalise("الحسن") == ("hsn",)
    assert skeleton("mohammed") == skeleton("muhammad") == skeleton("mhmd")


names = st.text(max_size=40)


@given(names, names)
def test_score_is_symmetric_and_bounded(a: str, b: str) -> None:
    x, y = person(a), person(b, date(1991, 1, 2))
    forward, backward = score(x, y).total, score(y, x).total
    assert forward == pytest.approx(backward)
    assert 0.0 <= forward <= 1.0
