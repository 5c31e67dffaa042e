"""Factories and files for the import tests.

``ImportSourceFactory`` and ``ImportRunFactory`` take ``office=`` (the isolation test makes
them in office A). ``write_csv``/``write_xlsx`` write real files; ``SAMPLE_HEADERS`` are
KoBoToolbox-style headers with the mapping ``SAMPLE_MAPPING``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import factory
import openpyxl

from tests.factories import OfficeFactory, UserFactory
from wayhome.accounts.permissions import Role
from wayhome.imports.models import ImportRun, ImportSource

SAMPLE_HEADERS = [
    "_uuid",
    "group_person/first_name",
    "group_person/last_name",
    "group_person/dob",
    "group_person/sex",
    "group_person/nationality",
    "group_person/phone",
    "household_id",
    "relationship",
    "programme",
    "category",
]
SAMPLE_MAPPING = {
    "_uuid": "external_id",
    "group_person/first_name": "given_name",
    "group_person/last_name": "family_name",
    "group_person/dob": "date_of_birth",
    "group_person/sex": "sex",
    "group_person/nationality": "nationality",
    "group_person/phone": "phone",
    "household_id": "household_id",
    "relationship": "relationship",
    "programme": "programme",
    "category": "category",
}
PEOPLE_HEADERS = SAMPLE_HEADERS[:7]
PEOPLE_MAPPING = {h: SAMPLE_MAPPING[h] for h in PEOPLE_HEADERS}


def csv_bytes(rows: Sequence[Sequence[Any]], headers: Sequence[str] = PEOPLE_HEADERS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def write_csv(
    path: Path, rows: Sequence[Sequence[Any]], headers: Sequence[str] = PEOPLE_HEADERS
) -> Path:
    path.write_bytes(csv_bytes(rows, headers))
    return path


def write_xlsx(
    path: Path, rows: Sequence[Sequence[Any]], headers: Sequence[str] = PEOPLE_HEADERS
) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


class ImportSourceFactory(factory.django.DjangoModelFactory[ImportSource]):
    class Meta:
        model = ImportSource

    office = factory.SubFactory(OfficeFactory)
    name = factory.Sequence(lambda n: f"KoBo form {n}")
    mapping = factory.LazyFunction(lambda: dict(PEOPLE_MAPPING))


class ImportRunFactory(factory.django.DjangoModelFactory[ImportRun]):
    """A finished dry run of a one-row file (saved directly: no task runs)."""

    class Meta:
        model = ImportRun

    office = factory.SubFactory(OfficeFactory)
    source = factory.LazyAttribute(lambda run: ImportSourceFactory.create(office=run.office))
    started_by = factory.LazyAttribute(
        lambda run: UserFactory.create(roles=[(run.office, Role.CASEWORKER)])
    )
    file_name = "registrations.csv"
    file_kind = ImportRun.Kind.CSV
    file_digest = "0" * 64
    content = factory.LazyFunction(
        lambda: csv_bytes([["r-1", "Amina", "Okafor", "1990-04-02", "female", "NG", ""]])
    )
    dry_run = True
    status = ImportRun.Status.DONE
    rows_total = 1
    rows_done = 1
    created_count = 1
