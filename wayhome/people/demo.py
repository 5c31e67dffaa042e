"""Synthetic people for the demo (``manage.py seed_demo``): names from several scripts, never
real persons. Deterministic, so that every demo looks the same."""

from __future__ import annotations

import datetime
import random
from typing import Any

from wayhome.accounts.models import Office
from wayhome.people.models import Person
from wayhome.people.services import person_create

DEMO_PEOPLE = 60

# (given names, family names, name as written or "", nationality)
_POOLS: list[tuple[list[str], list[str], str, list[str]]] = [
    (["Amina", "Chinedu", "Ngozi", "Emeka", "Blessing"], ["Okafor", "Adeyemi", "Eze"], "", ["NG"]),
    (["Mamadou", "Fatou", "Awa", "Ousmane"], ["Diallo", "Ndiaye", "Sow", "Fall"], "", ["SN"]),
    (["Ahmed", "Fatima", "Omar", "Maryam"], ["Al-Hassan", "Haddad", "Mansour"], "arabic", ["IQ"]),
    (["Tesfay", "Selam", "Yohannes", "Saba"], ["Haile", "Kidane", "Gebremedhin"], "", ["ER"]),
]
_ARABIC = {
    "Ahmed": "أحمد",
    "Fatima": "فاطمة",
    "Omar": "عمر",
    "Maryam": "مريم",
    "Al-Hassan": "الحسن",
    "Haddad": "حداد",
    "Mansour": "منصور",
}


def seed_people(ctx: Any) -> int:
    """Registers ``DEMO_PEOPLE`` people in the host offices, unless demo people exist already."""
    offices = list(Office.objects.filter(kind=Office.Kind.HOST, code__in=["de-ber", "gr-ath"]))
    if not offices or Person.objects.filter(office__in=offices).exists():
        return 0
    rng = random.Random(2026)  # noqa: S311 (synthetic demo data, not a secret)
    for number in range(DEMO_PEOPLE):
        given_names, family_names, script, nationalities = _POOLS[number % len(_POOLS)]
        given, family = rng.choice(given_names), rng.choice(family_names)
        written = f"{_ARABIC[given]} {_ARABIC[family]}" if script == "arabic" else ""
        born = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 55))
        year_only = rng.random() < 0.15
        person_create(
            actor=None,
            office=offices[number % len(offices)],
            given_name=given,
            family_name=family,
            name_as_written=written,
            date_of_birth=born.replace(month=1, day=1) if year_only else born,
            dob_precision=Person.DobPrecision.YEAR if year_only else Person.DobPrecision.EXACT,
            sex=rng.choice([Person.Sex.FEMALE, Person.Sex.MALE]),
            nationality=rng.choice(nationalities),
        )
    return DEMO_PEOPLE
