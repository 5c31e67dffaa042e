"""The import API: a multipart upload answered 202 with the run, 422 for a file that cannot be
imported, the run and the runs, the report as CSV, and 404 for another office's objects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.test import Client

from tests.conftest import Personas
from tests.imports.factories import ImportRunFactory, ImportSourceFactory, write_csv, write_xlsx
from wayhome.accounts.models import User
from wayhome.api.services import token_issue
from wayhome.imports.models import ImportRun
from wayhome.people.models import Person

BASE = "/api/v1/imports"
ROWS = [
    ["r-1", "Amina", "Okafor", "1990-04-02", "female", "NG", ""],
    ["r-2", "", "Gebremedhin", "1985-11-30", "male", "ET", ""],
]


def client_of(user: User) -> tuple[Client, dict[str, str]]:
    _token, secret = token_issue(actor=None, user=user, name="tests")
    return Client(), {"Authorization": f"Bearer {secret}"}


def test_an_upload_answers_202_and_runs(
    personas: Personas, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    source = ImportSourceFactory.create(office=personas.office_a)
    client, headers = client_of(personas.caseworker_a)
    path = write_xlsx(tmp_path / "people.xlsx", ROWS)
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as handle:
        response = client.post(
            BASE,
            {"source_id": str(source.pk), "file": handle, "dry_run": "false"},
            headers=headers,
        )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"  # answered before the task ran
    assert body["rows_total"] == 2
    assert body["dry_run"] is False
    run = client.get(f"{BASE}/{body['id']}", headers=headers).json()
    assert (run["status"], run["created_count"], run["error_count"]) == ("done", 1, 1)
    assert [p.given_name for p in Person.objects.all()] == ["Amina"]
    report = client.get(f"{BASE}/{body['id']}/report", headers=headers)
    assert report.status_code == 200
    assert report.content.decode("utf-8-sig").splitlines() == [
        "row,external id,field,problem",
        "3,r-2,given_name,This field cannot be blank.",
    ]
    listing = client.get(BASE, headers=headers).json()
    assert [item["id"] for item in listing["items"]] == [body["id"]]
    sources = client.get(f"{BASE}/sources", headers=headers).json()
    assert [item["id"] for item in sources["items"]] == [str(source.pk)]


def test_a_malformed_file_answers_422_and_saves_nothing(personas: Personas, tmp_path: Path) -> None:
    source = ImportSourceFactory.create(office=personas.office_a)
    client, headers = client_of(personas.caseworker_a)
    latin = tmp_path / "people.csv"
    latin.write_bytes("_uuid,first\nr-1,Jos\xe9\n".encode("latin-1"))
    with latin.open("rb") as handle:
        response = client.post(BASE, {"source_id": str(source.pk), "file": handle}, headers=headers)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "file_refused"
    assert error["message"].startswith("The file is not UTF-8 text.")
    assert not ImportRun.objects.exists()


def test_another_offices_source_and_run_answer_404(personas: Personas, tmp_path: Path) -> None:
    source = ImportSourceFactory.create(office=personas.office_a)
    run = ImportRunFactory.create(office=personas.office_a, source=source)
    client, headers = client_of(personas.caseworker_b)
    path = write_csv(tmp_path / "people.csv", ROWS)
    with path.open("rb") as handle:
        upload = client.post(BASE, {"source_id": str(source.pk), "file": handle}, headers=headers)
    assert upload.status_code == 404
    assert client.get(f"{BASE}/{run.pk}", headers=headers).status_code == 404
    assert client.get(f"{BASE}/{run.pk}/report", headers=headers).status_code == 404
    assert client.get(BASE, headers=headers).json()["items"] == []
    assert not ImportRun.objects.exclude(pk=run.pk).exists()


def test_the_report_of_a_running_import_answers_409(personas: Personas) -> None:
    run = ImportRunFactory.create(office=personas.office_a, status=ImportRun.Status.RUNNING)
    client, headers = client_of(personas.caseworker_a)
    response = client.get(f"{BASE}/{run.pk}/report", headers=headers)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_finished"
