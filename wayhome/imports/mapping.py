"""The fields a column can be mapped to, the guess of a field from a column header, and the
reading of one row's values into the data ``person_create`` and ``case_create`` take.

A problem with a value is reported as (field, message); the message never repeats the value.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pycountry
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wayhome.cases.models import MigrantCategory, Programme, Relationship
from wayhome.core.countries import COUNTRY_CODES
from wayhome.core.languages import LANGUAGE_CODES
from wayhome.people.models import Person

EXTERNAL_ID = "external_id"
HOUSEHOLD = "household_id"
RELATIONSHIP = "relationship"

#: Every field a column may be mapped to, with its label.
FIELDS: dict[str, Promise] = {
    EXTERNAL_ID: _("External id (the row's id in the source, required)"),
    "given_name": _("Given name(s)"),
    "family_name": _("Family name(s)"),
    "name_as_written": _("Name as written (own script)"),
    "other_names": _("Other names (separated by ;)"),
    "date_of_birth": _("Date of birth (YYYY-MM-DD, or the year)"),
    "dob_precision": _("Precision of the date of birth (exact, year, estimated)"),
    "sex": _("Sex"),
    "gender_identity": _("Gender identity"),
    "nationality": _("Nationality (country code)"),
    "other_nationalities": _("Other nationalities (country codes)"),
    "languages": _("Languages (ISO 639 codes)"),
    "phone": _("Telephone"),
    "email": _("E-mail"),
    HOUSEHOLD: _("Household id (rows with the same id make one case)"),
    RELATIONSHIP: _("Relationship to the principal applicant"),
    "programme": _("Programme (AVR, AVRR, VHR)"),
    "category": _("Migrant category"),
    "destination_country": _("Country of return (country code)"),
}
#: Fields the mapping must give a column.
REQUIRED_FIELDS = (EXTERNAL_ID, "given_name", "family_name")
#: Fields that open a case (the household, or a programme on a single row).
CASE_FIELDS = (HOUSEHOLD, "programme", "category", "destination_country")

# Header words (after normalisation) that suggest a field. KoBoToolbox headers are paths
# ("group_person/first_name"): the last part is what counts; its own "_uuid" is the row's id.
_GUESSES: dict[str, str] = {
    **dict.fromkeys(
        ("external_id", "_uuid", "uuid", "id", "_id", "record_id", "registration_id", "row_id"),
        EXTERNAL_ID,
    ),
    **dict.fromkeys(
        ("given_name", "given_names", "first_name", "firstname", "forename", "name_first"),
        "given_name",
    ),
    **dict.fromkeys(
        ("family_name", "last_name", "lastname", "surname", "name_last", "family_names"),
        "family_name",
    ),
    **dict.fromkeys(("name_as_written", "name_native", "native_name"), "name_as_written"),
    **dict.fromkeys(("other_names", "aliases", "alias", "other_name"), "other_names"),
    **dict.fromkeys(
        ("date_of_birth", "dob", "birth_date", "birthdate", "birthday", "date_birth"),
        "date_of_birth",
    ),
    **dict.fromkeys(("dob_precision", "dob_estimated", "birth_precision"), "dob_precision"),
    **dict.fromkeys(("sex", "gender", "sex_at_birth"), "sex"),
    **dict.fromkeys(("gender_identity",), "gender_identity"),
    **dict.fromkeys(
        ("nationality", "citizenship", "country_of_origin", "origin_country", "country_origin"),
        "nationality",
    ),
    **dict.fromkeys(("other_nationalities", "second_nationality"), "other_nationalities"),
    **dict.fromkeys(("languages", "language", "preferred_language", "lang"), "languages"),
    **dict.fromkeys(
        ("phone", "phone_number", "telephone", "mobile", "mobile_number", "tel"), "phone"
    ),
    **dict.fromkeys(("email", "e_mail", "email_address"), "email"),
    **dict.fromkeys(
        ("household_id", "household", "hh_id", "family_id", "case_group", "household_number"),
        HOUSEHOLD,
    ),
    **dict.fromkeys(
        ("relationship", "relation", "relationship_to_head", "relationship_to_principal"),
        RELATIONSHIP,
    ),
    **dict.fromkeys(("programme", "program"), "programme"),
    **dict.fromkeys(("category", "migrant_category"), "category"),
    **dict.fromkeys(
        ("destination_country", "country_of_return", "return_country", "destination"),
        "destination_country",
    ),
}
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def header_key(header: str) -> str:
    """``group_xyz/First Name`` -> ``first_name`` (the last part of a path, in snake case)."""
    last = header.strip().rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    key = _NOT_WORD.sub("_", last.casefold()).strip("_")
    return "_" + key if last.startswith("_") and key else key


def guess_mapping(headers: Sequence[str]) -> dict[str, str]:
    """A field for each header that suggests one, each field used once (the first header)."""
    guessed: dict[str, str] = {}
    used: set[str] = set()
    for header in headers:
        target = _GUESSES.get(header_key(header), "")
        if target and target not in used:
            guessed[header] = target
            used.add(target)
    return guessed


def mapping_problems(mapping: Mapping[str, str]) -> list[str]:
    """What is wrong with a mapping (header -> field), in words; empty when it is usable."""
    problems: list[str] = []
    targets = [target for target in mapping.values() if target]
    unknown = sorted({t for t in targets if t not in FIELDS})
    if unknown:
        problems.append(str(_("Unknown fields: %(fields)s") % {"fields": ", ".join(unknown)}))
    twice = sorted({t for t in targets if targets.count(t) > 1})
    for target in twice:
        problems.append(
            str(_("Only one column can give %(field)s.") % {"field": FIELDS.get(target, target)})
        )
    for target in REQUIRED_FIELDS:
        if target not in targets:
            problems.append(
                str(_("Choose the column that gives %(field)s.") % {"field": FIELDS[target]})
            )
    return problems


def opens_cases(mapping: Mapping[str, str]) -> bool:
    return any(target in CASE_FIELDS for target in mapping.values())


# Values ---------------------------------------------------------------------------------------

_SEX = {
    **dict.fromkeys(("f", "female", "woman", "girl", "feminine"), Person.Sex.FEMALE),
    **dict.fromkeys(("m", "male", "man", "boy", "masculine"), Person.Sex.MALE),
    **dict.fromkeys(("other", "x", "diverse", "non_binary", "nonbinary"), Person.Sex.OTHER),
    **dict.fromkeys(("", "unknown", "not_known", "u", "prefer_not_to_say"), Person.Sex.UNKNOWN),
}
_RELATIONSHIP = {
    **dict.fromkeys(("principal", "head", "self", "principal_applicant", "hoh"), "principal"),
    **dict.fromkeys(("spouse", "wife", "husband", "partner"), Relationship.SPOUSE),
    **dict.fromkeys(("child", "son", "daughter"), Relationship.CHILD),
    **dict.fromkeys(("parent", "mother", "father"), Relationship.PARENT),
    **dict.fromkeys(("sibling", "brother", "sister"), Relationship.SIBLING),
    **dict.fromkeys(("other", "relative", "dependant", "dependent"), Relationship.OTHER),
}
_PRECISION = {
    **dict.fromkeys(("", "exact", "no", "false", "0"), Person.DobPrecision.EXACT),
    **dict.fromkeys(("year", "year_only"), Person.DobPrecision.YEAR),
    **dict.fromkeys(("estimated", "estimate", "yes", "true", "1"), Person.DobPrecision.ESTIMATED),
}
_LIST_SPLIT = re.compile(r"[;|,\s]+")
_YEAR = re.compile(r"^\d{4}$")
_CATEGORIES = {value.casefold(): value for value in MigrantCategory.values}


@lru_cache(maxsize=512)
def country_code(value: str) -> str | None:
    """An ISO 3166-1 alpha-2 code from alpha-2 or alpha-3 (any case); None when unknown."""
    code = value.strip().upper()
    if len(code) == 2 and code in COUNTRY_CODES:
        return code
    if len(code) == 3:
        country = pycountry.countries.get(alpha_3=code)
        if country is not None and country.alpha_2 in COUNTRY_CODES:
            return str(country.alpha_2)
    return None


def _date(value: str) -> tuple[datetime.date | None, str]:
    """(date, precision implied) from ``YYYY-MM-DD`` (a time after it is ignored) or ``YYYY``."""
    text = value.strip()
    if _YEAR.match(text):
        return datetime.date(int(text), 1, 1), Person.DobPrecision.YEAR
    try:
        return datetime.date.fromisoformat(text[:10]), ""
    except ValueError:
        return None, ""


@dataclass
class ParsedRow:
    """One row read through the mapping: the person's data, the case's, and the problems."""

    external_id: str
    person: dict[str, Any] = field(default_factory=dict)
    case: dict[str, Any] = field(default_factory=dict)
    household: str = ""
    relationship: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)
    digest: str = ""


def parse_row(values: Mapping[str, str]) -> ParsedRow:
    """``values``: field -> text of the mapped columns of one row."""

    def get(name: str) -> str:
        return (values.get(name) or "").strip()

    row = ParsedRow(external_id=get(EXTERNAL_ID))
    row.digest = hashlib.sha256(
        json.dumps(sorted(values.items()), ensure_ascii=False).encode()
    ).hexdigest()
    errors = row.errors
    if not row.external_id:
        errors.append((EXTERNAL_ID, str(_("The row has no external id."))))
    elif len(row.external_id) > 200:
        errors.append((EXTERNAL_ID, str(_("The external id is longer than 200 characters."))))
    person = row.person
    for name in ("given_name", "family_name", "name_as_written", "gender_identity"):
        if name in values:
            person[name] = get(name)
    if "other_names" in values:
        person["other_names"] = [n.strip() for n in re.split(r"[;|]", get("other_names"))]
    if "date_of_birth" in values and get("date_of_birth"):
        born, implied = _date(get("date_of_birth"))
        if born is None:
            errors.append(("date_of_birth", str(_("Write the date as YYYY-MM-DD (or the year)."))))
        else:
            person["date_of_birth"] = born
            if implied:
                person["dob_precision"] = implied
    if "dob_precision" in values and get("dob_precision"):
        precision = _PRECISION.get(header_key(get("dob_precision")))
        if precision is None:
            errors.append(("dob_precision", str(_("Write exact, year or estimated."))))
        else:
            person["dob_precision"] = precision
    if "sex" in values:
        sex = _SEX.get(header_key(get("sex")))
        if sex is None:
            errors.append(("sex", str(_("Write female, male, other or unknown."))))
        else:
            person["sex"] = sex
    for name in ("nationality",):
        if get(name):
            code = country_code(get(name))
            if code is None:
                errors.append((name, str(_("Not a known country code (ISO 3166)."))))
            else:
                person[name] = code
    if get("other_nationalities"):
        codes = [country_code(c) for c in _LIST_SPLIT.split(get("other_nationalities")) if c]
        if None in codes:
            errors.append(("other_nationalities", str(_("Not a known country code (ISO 3166)."))))
        else:
            person["other_nationalities"] = list(dict.fromkeys(c for c in codes if c))
    if get("languages"):
        codes_ = [c.lower() for c in _LIST_SPLIT.split(get("languages")) if c]
        if any(code not in LANGUAGE_CODES for code in codes_):
            errors.append(("languages", str(_("Not an ISO 639 language code."))))
        else:
            person["languages"] = list(dict.fromkeys(codes_))
    contacts = [
        {"kind": kind, "value": get(name)}
        for name, kind in (("phone", "phone"), ("email", "email"))
        if get(name)
    ]
    if contacts:
        person["contacts"] = contacts
    row.household = get(HOUSEHOLD)
    if get(RELATIONSHIP):
        relationship = _RELATIONSHIP.get(header_key(get(RELATIONSHIP)))
        if relationship is None:
            errors.append((RELATIONSHIP, str(_("Not a known relationship."))))
        else:
            row.relationship = str(relationship)
    if get("programme"):
        programme = get("programme").upper()
        if programme not in Programme.values:
            errors.append(("programme", str(_("Write AVR, AVRR or VHR."))))
        else:
            row.case["programme"] = programme
    if get("category"):
        category = _CATEGORIES.get(header_key(get("category")))
        if category is None:
            errors.append(("category", str(_("Not a known migrant category."))))
        else:
            row.case["category"] = category
    if get("destination_country"):
        code = country_code(get("destination_country"))
        if code is None:
            errors.append(("destination_country", str(_("Not a known country code (ISO 3166)."))))
        else:
            row.case["destination_country"] = code
    return row
