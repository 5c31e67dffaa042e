"""Exports: the file holds exactly the case list the user sees with the same filters (CSV and
XLSX), formulas neutralised, offices without ``Perm.EXPORT`` left out, the owner only, progress
while it runs, audit without personal data, expiry and purge, flat memory and a query count
that does not grow with the rows."""

from __future__ import annotations

import csv
import datetime
import io
import json
import tracemalloc
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.conftest import Personas, client_for
from tests.exports.factories import ExportFactory, bulk_cases
from tests.factories import UserFactory
from tests.people.factories import PersonFactory
from wayhome.accounts.permissions import Role
from wayhome.api.services import token_issue
from wayhome.audit.models import AuditEvent
from wayhome.cases.selectors import CaseFilters, case_filter, case_list
from wayhome.core import blobs
from wayhome.core.blobs import blob_get, blob_storage
from wayhome.exports import engine
from wayhome.exports.engine import export_execute
from wayhome.exports.models import Export
from wayhome.exports.services import TooManyExports, export_create

HEADERS = [
    "reference",
    "office",
    "status",
    "migrant category",
    "programme",
    "registered on",
    "status since",
    "country of return",
    "members",
    "given name(s)",
    "family name(s)",
    "sex",
    "date of birth",
]


def _run(user: Any, fmt: str = "csv", **filters: Any) -> Export:
    with TestCase.captureOnCommitCallbacks(execute=True):
        export = export_create(actor=user, kind="cases", format=fmt, filters=filters)
    return Export.objects.get(pk=export.pk)


def _csv_rows(export: Export) -> list[list[str]]:
    content = blob_get(export.blob)
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _xlsx_rows(export: Export) -> list[list[Any]]:
    workbook = openpyxl.load_workbook(io.BytesIO(blob_get(export.blob)), read_only=True)
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def cases(personas: Personas) -> dict[str, Any]:
    principal = PersonFactory.create(
        office=personas.office_a,
        given_name="Amina",
        family_name="Okafor",
        date_of_birth=datetime.date(1990, 4, 2),
    )
    spouse = PersonFactory.create(office=personas.office_a)
    first = CaseFactory.create(
        office=personas.office_a, principal=principal, members=[(spouse, "spouse")]
    )
    other = CaseFactory.create(office=personas.office_a, destination_country="ET")
    elsewhere = CaseFactory.create(office=personas.office_b)
    return {"first": first, "other": other, "elsewhere": elsewhere}


def test_csv_holds_the_case_list_with_the_same_filters(
    personas: Personas, cases: dict[str, Any]
) -> None:
    export = _run(personas.manager_a)
    assert export.status == Export.Status.DONE
    rows = _csv_rows(export)
    assert rows[0] == HEADERS
    expected = [c.reference for c in case_list(personas.manager_a)]
    assert [row[0] for row in rows[1:]] == expected
    assert len(expected) == 2
    first = next(row for row in rows if row[0] == cases["first"].reference)
    case = cases["first"]
    assert first == [
        case.reference,
        "office-a",
        case.status,
        case.category,
        case.programme,
        timezone.localtime(case.created_at).date().isoformat(),
        timezone.localtime(case.status_changed_at).date().isoformat()
        if case.status_changed_at
        else "",
        "NG",
        "2",
        "Amina",
        "Okafor",
        "female",
        "1990-04-02",
    ]
    assert export.total == export.done == 2
    assert export.size == len(blob_get(export.blob))

    filtered = _run(personas.manager_a, destination_country="ET")
    expected = [
        c.reference
        for c in case_filter(
            personas.manager_a,
            case_list(personas.manager_a),
            CaseFilters(destination_country="ET"),
        )
    ]
    assert [row[0] for row in _csv_rows(filtered)[1:]] == expected == [cases["other"].reference]
    assert filtered.filters == {"destination_country": "ET"}


def test_xlsx_holds_the_same_rows(personas: Personas, cases: dict[str, Any]) -> None:
    export = _run(personas.manager_a, "xlsx")
    assert export.status == Export.Status.DONE
    rows = _xlsx_rows(export)
    assert rows[0] == HEADERS
    assert [row[0] for row in rows[1:]] == [c.reference for c in case_list(personas.manager_a)]
    first = next(row for row in rows if row[0] == cases["first"].reference)
    assert first[8] == 2
    assert first[9:12] == ["Amina", "Okafor", "female"]
    assert first[12].date() == datetime.date(1990, 4, 2)


def test_formulas_are_neutralised(personas: Personas) -> None:
    person = PersonFactory.create(
        office=personas.office_a, given_name='=HYPERLINK("http://x")', family_name="+1-2"
    )
    CaseFactory.create(office=personas.office_a, principal=person)
    row = _csv_rows(_run(personas.manager_a))[1]
    assert row[9:11] == ['\'=HYPERLINK("http://x")', "'+1-2"]
    xlsx = _run(personas.manager_a, "xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(blob_get(xlsx.blob)))
    cells = next(iter(workbook.worksheets[0].iter_rows(min_row=2)))
    assert cells[9].value == '\'=HYPERLINK("http://x")'
    assert cells[9].data_type == "s"


def test_offices_without_export_are_left_out(personas: Personas, cases: dict[str, Any]) -> None:
    # A manager in A (case view and export) who is a caseworker in B (case view, no export).
    user = UserFactory.create(
        roles=[(personas.office_a, Role.MANAGER), (personas.office_b, Role.CASEWORKER)]
    )
    assert case_list(user).filter(office=personas.office_b).exists()
    references = [row[0] for row in _csv_rows(_run(user))[1:]]
    assert cases["elsewhere"].reference not in references
    assert sorted(references) == sorted([cases["first"].reference, cases["other"].reference])
    # Asking for office B's cases by filter is refused.
    with pytest.raises(Exception, match="office"):
        _run(user, office=str(personas.office_b.pk))
    # A caseworker (no export anywhere) may not export at all.
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _run(personas.caseworker_a)


def test_progress_is_saved_while_it_runs(personas: Personas, settings: Any) -> None:
    settings.EXPORT_PROGRESS_ROWS = 10
    settings.EXPORT_CHUNK_ROWS = 10
    bulk_cases(personas.office_a, 35)
    seen: list[tuple[str, int, int]] = []
    kind = engine.kind_of("cases")
    original = kind.cells

    def spy(row: tuple[Any, ...]) -> list[Any]:
        current = Export.objects.values_list("status", "done", "total").get()
        seen.append(current)
        return original(row)

    kind.cells = spy  # type: ignore[method-assign]
    try:
        export = _run(personas.manager_a)
    finally:
        del kind.cells
    assert export.status == Export.Status.DONE
    assert {status for status, _done, _total in seen} == {"running"}
    assert {total for _status, _done, total in seen} == {35}
    assert sorted({done for _status, done, _total in seen}) == [0, 10, 20, 30]
    assert export.done == 35


def test_a_failure_mid_file_marks_it_failed(
    personas: Personas, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.EXPORT_CHUNK_ROWS = 10
    bulk_cases(personas.office_a, 25)
    kind = engine.kind_of("cases")
    seen: list[int] = []

    def fail_at_twenty(row: tuple[Any, ...]) -> list[Any]:
        seen.append(1)
        if len(seen) == 20:
            raise ValueError("Given19")
        return [str(value) for value in row]

    monkeypatch.setattr(kind, "cells", fail_at_twenty)
    export = _run(personas.manager_a)
    assert export.status == Export.Status.FAILED
    assert export.error.startswith("The export failed (ValueError)")
    assert "Given19" not in export.error  # no value of the data in the message
    assert export.blob == ""
    storage = blob_storage()
    assert (storage.listdir("exports")[1] if storage.exists("exports") else []) == []


def test_a_failure_after_writing_deletes_the_blob(
    personas: Personas, cases: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(engine.os.path, "getsize", lambda path: (_ for _ in ()).throw(OSError()))
    real_write = engine.blob_write

    def remember(source: Any, *, kind: str) -> str:
        name = real_write(source, kind=kind)
        calls.append(name)
        return name

    monkeypatch.setattr(engine, "blob_write", remember)
    export = _run(personas.manager_a, "xlsx")
    assert export.status == Export.Status.FAILED
    assert calls
    assert not blob_storage().exists(calls[0])


def test_only_the_owner_sees_an_export(personas: Personas) -> None:
    export = ExportFactory.create(office=personas.office_a)
    other_manager = UserFactory.create(roles=[(personas.office_a, Role.MANAGER)])
    client = client_for(other_manager)
    for url in (
        f"/exports/{export.pk}/",
        f"/exports/{export.pk}/progress/",
        f"/exports/{export.pk}/download",
    ):
        assert client.get(url).status_code == 404
    assert str(export.pk) not in client.get("/exports/").content.decode()
    _token, secret = token_issue(actor=None, user=other_manager, name="t")
    headers = {"Authorization": f"Bearer {secret}"}
    api = client_for(other_manager)
    assert api.get(f"/api/v1/exports/{export.pk}", headers=headers).status_code == 404
    assert api.get(f"/api/v1/exports/{export.pk}/file", headers=headers).status_code == 404
    assert api.get("/api/v1/exports", headers=headers).json()["items"] == []

    owner = client_for(export.owner)
    assert owner.get(f"/exports/{export.pk}/").status_code == 200
    assert str(export.pk) in owner.get("/exports/").content.decode()


def test_the_download_streams_the_file_and_is_audited(
    personas: Personas, cases: dict[str, Any]
) -> None:
    client = client_for(personas.manager_a)
    page = client.get("/cases/")
    assert b'name="format" value="xlsx"' in page.content
    assert (
        b'name="format" value="xlsx"'
        not in client_for(personas.caseworker_a).get("/cases/").content
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/exports/", {"kind": "cases", "format": "csv", "destination_country": "NG"}
        )
    export = Export.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/exports/{export.pk}/"
    detail = client.get(response["Location"])
    assert b"export-progress" in detail.content
    assert b"/download" in detail.content
    progress = client.get(f"/exports/{export.pk}/progress/", headers={"HX-Request": "true"})
    assert progress.status_code == 286

    download = client.get(f"/exports/{export.pk}/download")
    assert download.status_code == 200
    assert download.streaming
    body = download.getvalue()
    assert int(download["Content-Length"]) == len(body) == export.size
    assert download["Content-Disposition"].startswith('attachment; filename="wayhome-cases-')
    assert cases["first"].reference.encode() in body
    client.get(f"/exports/{export.pk}/download")

    events = AuditEvent.objects.filter(object_id=str(export.pk)).order_by("seq")
    assert [e.action for e in events] == ["export.create", "export.download", "export.download"]
    assert events[1].details == {"kind": "cases", "format": "csv", "rows": 1}
    dumped = json.dumps([e.details for e in events])
    assert "Amina" not in dumped
    assert "Okafor" not in dumped


def test_the_api_creates_lists_and_streams(
    personas: Personas, cases: dict[str, Any], settings: Any
) -> None:
    settings.EXPORTS_PER_HOUR = 2
    _token, secret = token_issue(actor=None, user=personas.manager_a, name="t")
    headers = {"Authorization": f"Bearer {secret}"}
    client = client_for(personas.manager_a)
    with TestCase.captureOnCommitCallbacks(execute=True):
        created = client.post(
            "/api/v1/exports",
            {"kind": "cases", "format": "xlsx", "filters": {"destination_country": "ET"}},
            content_type="application/json",
            headers=headers,
        )
    assert created.status_code == 202
    export_id = created.json()["id"]
    got = client.get(f"/api/v1/exports/{export_id}", headers=headers).json()
    assert got["status"] == "done"
    assert got["done"] == 1
    listed = client.get("/api/v1/exports", headers=headers).json()["items"]
    assert [item["id"] for item in listed] == [export_id]
    file = client.get(f"/api/v1/exports/{export_id}/file", headers=headers)
    assert file.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(file.getvalue()))
    assert workbook.worksheets[0].cell(row=2, column=1).value == cases["other"].reference
    bad = client.post(
        "/api/v1/exports",
        {"kind": "cases", "format": "pdf"},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422
    client.post(
        "/api/v1/exports", {"format": "csv"}, content_type="application/json", headers=headers
    )
    limited = client.post(
        "/api/v1/exports", {"format": "csv"}, content_type="application/json", headers=headers
    )
    assert limited.status_code == 429
    with pytest.raises(TooManyExports):
        export_create(actor=personas.manager_a, kind="cases", format="csv")


def test_expired_exports_are_gone_and_purged(personas: Personas) -> None:
    export = ExportFactory.create(office=personas.office_a)
    later = ExportFactory.create(office=personas.office_a, owner=export.owner)
    assert blob_storage().exists(export.blob)
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    client = client_for(export.owner)
    assert client.get(f"/exports/{export.pk}/download").status_code == 410
    assert not blob_storage().exists(export.blob)
    assert Export.objects.get(pk=export.pk).status == Export.Status.EXPIRED

    Export.objects.filter(pk=later.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    fresh = ExportFactory.create(office=personas.office_a, owner=export.owner)
    out = io.StringIO()
    call_command("purge_exports", stdout=out)
    assert "1 export file(s) deleted" in out.getvalue()
    assert not blob_storage().exists(later.blob)
    assert blob_storage().exists(fresh.blob)
    assert Export.objects.get(pk=later.pk).status == Export.Status.EXPIRED


def _peak(user: Any, office: Any, fmt: str) -> int:
    export = Export.objects.create(
        owner=user,
        office=office,
        kind="cases",
        format=fmt,
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    tracemalloc.start()
    try:
        done = export_execute(export.pk, chunk_size=500)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert done.status == Export.Status.DONE
    return peak


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_memory_stays_flat(personas: Personas, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    # The blob module buffers up to 1 MB chunks and 8 MB of ciphertext in memory by design;
    # small buffers here let the test see whether the export itself holds the rows.
    monkeypatch.setattr(blobs, "CHUNK_SIZE", 32 * 1024)
    monkeypatch.setattr(blobs, "SPOOL_MAX", 32 * 1024)
    user = personas.manager_a
    bulk_cases(personas.office_a, 1000)
    small = _peak(user, personas.office_a, fmt)
    bulk_cases(personas.office_a, 4000, start=1000)
    large = _peak(user, personas.office_a, fmt)
    assert large < 1.5 * small, (small, large)


def test_queries_do_not_grow_with_the_rows(personas: Personas, settings: Any) -> None:
    settings.EXPORT_PROGRESS_ROWS = 50
    user = personas.manager_a

    def count() -> int:
        export = Export.objects.create(
            owner=user,
            office=personas.office_a,
            kind="cases",
            format="csv",
            expires_at=timezone.now() + datetime.timedelta(hours=1),
        )
        with CaptureQueriesContext(connection) as queries:
            export_execute(export.pk, chunk_size=50)
        return len(queries)

    bulk_cases(personas.office_a, 100)
    few = count()
    bulk_cases(personas.office_a, 200, start=100)
    many = count()
    # 200 more rows: at most one more query per chunk of 50 (the progress update).
    assert many - few <= 200 // 50, (few, many)
