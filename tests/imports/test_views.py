"""The import pages: sources and mapping, upload, the run page, the polled progress, the report,
and office scoping (404 for another office's sources and runs)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from tests.conftest import Personas, client_for
from tests.imports.factories import (
    PEOPLE_HEADERS,
    SAMPLE_HEADERS,
    ImportRunFactory,
    ImportSourceFactory,
    write_csv,
    write_xlsx,
)
from wayhome.imports.models import ImportRun, ImportSource
from wayhome.people.models import Person

ROWS = [
    ["r-1", "Amina", "Okafor", "1990-04-02", "female", "NG", ""],
    ["r-2", "Tesfaye", "Gebremedhin", "1985/11/30", "male", "ET", ""],
]


def test_the_pages_answer_the_caseworker_and_404_elsewhere(personas: Personas) -> None:
    source = ImportSourceFactory.create(office=personas.office_a)
    run = ImportRunFactory.create(office=personas.office_a, source=source)
    mine = client_for(personas.caseworker_a)
    other = client_for(personas.caseworker_b)
    auditor = client_for(personas.auditor_a)
    pages = [
        reverse("imports:run-list"),
        reverse("imports:run-create"),
        reverse("imports:source-list"),
        reverse("imports:source-create"),
        reverse("imports:source-update", kwargs={"import_source_id": source.pk}),
        reverse("imports:run-detail", kwargs={"import_run_id": run.pk}),
        reverse("imports:run-report", kwargs={"import_run_id": run.pk}),
    ]
    for url in pages:
        assert mine.get(url).status_code == 200, url
        assert auditor.get(url).status_code == 404, url
    for url in pages[4:]:
        assert other.get(url).status_code == 404, url
    listing = other.get(reverse("imports:run-list"))
    assert str(run.pk) not in listing.content.decode()


def test_a_source_is_made_from_a_sample_file_with_guessed_columns(
    personas: Personas, tmp_path: Path
) -> None:
    client = client_for(personas.caseworker_a)
    url = reverse("imports:source-create")
    sample = write_xlsx(tmp_path / "kobo.xlsx", [], SAMPLE_HEADERS)
    with sample.open("rb") as handle:
        read = client.post(
            url,
            {"office": personas.office_a.pk, "name": "KoBo", "sample": handle, "action": "read"},
        )
    assert read.status_code == 200
    page = read.content.decode()
    assert 'name="header" value="group_person/first_name"' in page
    # The guess is preselected: the first-name column gives the given name.
    assert '<option value="given_name" selected>' in page
    data: dict[str, Any] = {
        "office": personas.office_a.pk,
        "name": "KoBo",
        "action": "save",
        "header": SAMPLE_HEADERS,
    }
    guessed = {
        "_uuid": "external_id",
        "group_person/first_name": "given_name",
        "group_person/last_name": "family_name",
        "group_person/dob": "date_of_birth",
    }
    for index, header in enumerate(SAMPLE_HEADERS):
        data[f"column_{index}"] = guessed.get(header, "")
    saved = client.post(url, data)
    assert saved.status_code == 302
    source = ImportSource.objects.get()
    assert source.mapping == guessed
    assert source.office == personas.office_a


def test_a_source_without_the_id_column_is_not_saved(personas: Personas) -> None:
    client = client_for(personas.caseworker_a)
    data = {
        "office": personas.office_a.pk,
        "name": "KoBo",
        "action": "save",
        "header": ["first", "last"],
        "column_0": "given_name",
        "column_1": "family_name",
    }
    response = client.post(reverse("imports:source-create"), data)
    assert response.status_code == 400
    assert "Choose the column that gives External id" in response.content.decode()
    assert not ImportSource.objects.exists()


def test_upload_runs_and_the_run_page_shows_the_report(
    personas: Personas, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    source = ImportSourceFactory.create(office=personas.office_a)
    client = client_for(personas.caseworker_a)
    path = write_csv(tmp_path / "people.csv", ROWS)
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as handle:
        response = client.post(
            reverse("imports:run-create"), {"source": source.pk, "file": handle, "dry_run": "on"}
        )
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("imports:run-detail", kwargs={"import_run_id": run.pk})
    assert Person.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert "Write the date as YYYY-MM-DD (or the year)." in page
    assert "Import the file for real" in page
    assert 'hx-trigger="every 1s"' not in page  # finished: no polling
    report = client.get(reverse("imports:run-report", kwargs={"import_run_id": run.pk}))
    assert report["Content-Type"] == "text/csv"
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert lines == [
        ["row", "external id", "field", "problem"],
        ["3", "r-2", "date_of_birth", "Write the date as YYYY-MM-DD (or the year)."],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        applied = client.post(reverse("imports:run-apply", kwargs={"import_run_id": run.pk}))
    assert applied.status_code == 302
    assert [p.given_name for p in Person.objects.all()] == ["Amina"]


def test_a_malformed_upload_is_refused_with_a_clear_message(
    personas: Personas, tmp_path: Path
) -> None:
    source = ImportSourceFactory.create(office=personas.office_a)
    client = client_for(personas.caseworker_a)
    png = tmp_path / "people.xlsx"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with png.open("rb") as handle:
        response = client.post(reverse("imports:run-create"), {"source": source.pk, "file": handle})
    assert response.status_code == 422
    assert "This is not an Excel workbook or a CSV file." in response.content.decode()
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize("status", ["queued", "running"])
def test_the_run_page_polls_while_the_run_is_going(personas: Personas, status: str) -> None:
    run = ImportRunFactory.create(
        office=personas.office_a, status=status, rows_total=200, rows_done=50, created_count=40
    )
    client = client_for(personas.caseworker_a)
    progress_url = reverse("imports:run-progress", kwargs={"import_run_id": run.pk})
    page = client.get(reverse("imports:run-detail", kwargs={"import_run_id": run.pk}))
    html = page.content.decode()
    assert f'hx-get="{progress_url}" hx-trigger="every 1s"' in html
    assert 'aria-live="polite"' in html
    assert '<progress id="import-progress-bar" max="200" value="50"' in html
    partial = client.get(progress_url, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    body = partial.content.decode()
    assert "<html" not in body
    assert '<progress id="import-progress-bar" max="200" value="50"' in body
    if status == "running":
        assert "25% — 50 of 200 rows checked" in body
    assert "40 rows would be created" in body


def test_the_polled_part_stops_the_polling_once_the_run_has_ended(personas: Personas) -> None:
    run = ImportRunFactory.create(office=personas.office_a, rows_total=3, rows_done=3)
    client = client_for(personas.caseworker_a)
    url = reverse("imports:run-progress", kwargs={"import_run_id": run.pk})
    partial = client.get(url, headers={"HX-Request": "true"})
    assert partial.status_code == 286  # htmx stops polling on 286
    assert "100% — Finished: 3 of 3 rows checked" in partial.content.decode()
    # Without htmx, the address leads to the run's page.
    assert client.get(url).status_code == 302
    assert (
        client_for(personas.caseworker_b).get(url, headers={"HX-Request": "true"}).status_code
        == 404
    )


def test_the_report_download_neutralises_formulas(personas: Personas) -> None:
    run = ImportRunFactory.create(
        office=personas.office_a, report=[[2, "=HYPERLINK(1)", "given_name", "Problem."]]
    )
    client = client_for(personas.caseworker_a)
    report = client.get(reverse("imports:run-report", kwargs={"import_run_id": run.pk}))
    assert "'=HYPERLINK(1)" in report.content.decode("utf-8-sig")


def test_the_navigation_shows_imports_to_who_may_import(personas: Personas) -> None:
    url = reverse("imports:run-list")
    assert f'href="{url}"' in client_for(personas.caseworker_a).get("/").content.decode()
    assert (
        f'href="{url}"'
        not in client_for(personas.auditor_a).get(reverse("audit:event-list")).content.decode()
    )


def test_headers_of_the_sample_are_all_offered(personas: Personas, tmp_path: Path) -> None:
    source = ImportSourceFactory.create(office=personas.office_a)
    client = client_for(personas.caseworker_a)
    url = reverse("imports:source-update", kwargs={"import_source_id": source.pk})
    page = client.get(url).content.decode()
    for header in PEOPLE_HEADERS:
        assert f'name="header" value="{header}"' in page
