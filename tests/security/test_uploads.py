"""Uploads: the type is decided by the content, never by the name or the declared type; sizes
and archive bombs are refused; uploaded names are never used as paths; files go back as
attachments that browsers must not sniff. ASVS 5.0 V5 (file handling)."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import Personas, client_for
from tests.exports.conftest import _blobs_in_tmp
from tests.exports.factories import ExportFactory
from tests.imports.factories import ImportSourceFactory, csv_bytes, write_xlsx
from tests.people.factories import PersonFactory
from tests.routes import response_body, viewer
from wayhome.consent.services import signed_form_check
from wayhome.imports.models import ImportRun
from wayhome.people.services import person_photo_set

pytestmark = pytest.mark.django_db

__all__ = ["_blobs_in_tmp"]

ROWS = [["r-1", "Amina", "Okafor", "1990-04-02", "female", "NG", ""]]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64
HTML = b"<html><script>alert(document.cookie)</script></html>"


def _upload(personas: Personas, name: str, content: bytes, content_type: str = "text/csv") -> Any:
    source = ImportSourceFactory.create(office=personas.office_a)
    token = viewer("uploads", personas.caseworker_a).token
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return Client().post(
        "/api/v1/imports",
        {"source_id": str(source.pk), "file": upload},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def _xlsx(tmp_path: Path) -> bytes:
    return write_xlsx(tmp_path / "people.xlsx", ROWS).read_bytes()


# --- type by content ----------------------------------------------------------------------------


def test_a_workbook_is_read_as_a_workbook_whatever_its_name_and_declared_type(
    personas: Personas, tmp_path: Path
) -> None:
    """V5.2.2: a real XLSX named .csv and declared text/csv is read as the workbook it is."""
    response = _upload(personas, "people.csv", _xlsx(tmp_path), "text/csv")
    assert response.status_code == 202
    assert ImportRun.objects.get().file_kind == ImportRun.Kind.XLSX


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("people.csv", PNG, "text/csv"),  # an image named and declared as CSV
        (
            "people.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
            "application/vnd.ms-excel",
        ),
        ("people.xlsx", b"PK\x03\x04not really a zip", "application/zip"),
        ("people.csv", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "text/csv"),  # a program
        ("people.csv", "_uuid,first\nr-1,Jos\xe9\n".encode("latin-1"), "text/csv"),
    ],
    ids=["png-as-csv", "old-xls", "broken-zip", "executable", "not-utf8"],
)
def test_files_that_are_not_what_they_claim_are_refused(
    personas: Personas, name: str, content: bytes, content_type: str
) -> None:
    """V5.2.2: checked by the bytes; nothing is saved."""
    response = _upload(personas, name, content, content_type)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "file_refused"
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize(
    ("content", "declared", "accepted"),
    [
        (PDF, "application/pdf", True),
        (PNG, "image/png", True),
        (PNG, "application/pdf", False),  # a renamed file
        (HTML, "application/pdf", False),
        (HTML, "text/html", False),
        (PDF, "image/svg+xml", False),
    ],
)
def test_signed_forms_are_checked_by_their_bytes(
    content: bytes, declared: str, accepted: bool
) -> None:
    """V5.2.2: the declared type must be allowed and match the file's magic bytes."""
    if accepted:
        assert signed_form_check(content, declared) == declared
    else:
        with pytest.raises(ValidationError):
            signed_form_check(content, declared)


def test_a_photo_is_checked_by_its_bytes(personas: Personas) -> None:
    person = PersonFactory.create(office=personas.office_a)
    with pytest.raises(ValidationError):
        person_photo_set(actor=personas.caseworker_a, person=person, content=HTML)
    person_photo_set(actor=personas.caseworker_a, person=person, content=PNG)
    response = client_for(personas.caseworker_a).get(f"/people/{person.pk}/photo/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


# --- sizes and bombs ----------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused(
    personas: Personas, settings: Any, tmp_path: Path
) -> None:
    """V5.2.1."""
    settings.IMPORT_MAX_BYTES = 1000
    big = csv_bytes(ROWS * 100)
    assert len(big) > 1000
    response = _upload(personas, "people.csv", big)
    assert response.status_code == 422
    assert "too large" in response.json()["error"]["message"]
    assert not ImportRun.objects.exists()


def test_a_signed_form_over_the_limit_is_refused() -> None:
    from wayhome.consent.models import SIGNED_FORM_MAX_BYTES

    with pytest.raises(ValidationError):
        signed_form_check(PDF + b"x" * SIGNED_FORM_MAX_BYTES, "application/pdf")


def _bomb(unpacked: int) -> bytes:
    """A workbook whose sheet unpacks to ``unpacked`` bytes from a few kilobytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"0" * unpacked)
    return buffer.getvalue()


def test_a_zip_bomb_workbook_is_refused(personas: Personas, settings: Any) -> None:
    """V5.2.3: a workbook that unpacks to far more than its size and the size limit is refused
    before it is opened."""
    settings.IMPORT_MAX_BYTES = 1_000_000
    bomb = _bomb(50_000_000)
    assert len(bomb) < 200_000
    response = _upload(personas, "people.xlsx", bomb)
    assert response.status_code == 422
    assert "unpacked" in response.json()["error"]["message"]
    assert not ImportRun.objects.exists()


# --- names are labels, never paths --------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["../../../../tmp/wayhome-evil.csv", "/etc/wayhome-evil.csv", "..\\..\\wayhome-evil.csv"],
)
def test_uploaded_names_are_never_used_as_paths(
    personas: Personas, name: str, tmp_path: Path, settings: Any
) -> None:
    """V5.3.2: the name is kept as a label (without its directories in any file path) and the
    file lands nowhere it names; the report download is named by the run's id."""
    response = _upload(personas, name, csv_bytes(ROWS))
    assert response.status_code == 202
    run = ImportRun.objects.get()
    assert not Path("/tmp/wayhome-evil.csv").exists()  # noqa: S108 (the path an attacker names)
    assert not Path("/etc/wayhome-evil.csv").exists()
    written = [
        os.path.join(root, file) for root, _dirs, files in os.walk(tmp_path) for file in files
    ]
    assert not [path for path in written if "evil" in path]
    report = client_for(personas.caseworker_a).get(f"/imports/runs/{run.pk}/report.csv")
    assert report.status_code == 200
    disposition = report["Content-Disposition"]
    assert disposition == f'attachment; filename="import-report-{run.pk}.csv"'
    assert "evil" not in disposition


# --- served as attachments ----------------------------------------------------------------------


def test_files_are_served_as_attachments_not_to_be_sniffed(personas: Personas) -> None:
    """V5.4.1, V3.4.4: downloads carry Content-Disposition: attachment and nosniff."""
    export = ExportFactory.create(office=personas.office_a)
    response = client_for(export.owner).get(f"/exports/{export.pk}/download")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response_body(response)
