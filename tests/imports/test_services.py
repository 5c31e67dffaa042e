"""The import end to end through the services (the task runs at once in tests): real files,
dry runs, real runs, households, re-imports, duplicates, progress, permissions, audit."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from tests.conftest import Personas
from tests.imports.factories import (
    PEOPLE_HEADERS,
    SAMPLE_HEADERS,
    SAMPLE_MAPPING,
    ImportSourceFactory,
    write_csv,
    write_xlsx,
)
from tests.people.factories import PersonFactory
from wayhome.audit.models import AuditEvent
from wayhome.cases.models import Case, CaseMember
from wayhome.imports import engine
from wayhome.imports.models import ImportedRecord, ImportRun, ImportSource
from wayhome.imports.reader import FileRefused
from wayhome.imports.services import import_run_apply, import_run_create
from wayhome.people.models import MatchKey, Person

GOOD = [
    ["r-1", "Amina", "Okafor", "1990-04-02", "female", "NG", "+234 801 000"],
    ["r-2", "Tesfaye", "Gebremedhin", "1985-11-30", "male", "ET", ""],
    ["r-3", "Oksana", "Kovalenko", "2001-01-15", "female", "UA", ""],
]
BAD_DATE = ["r-4", "Yusuf", "Haddad", "30/02/1990", "male", "SY", ""]
NO_NAME = ["r-5", "", "Diallo", "1979-06-01", "female", "GN", ""]


@pytest.fixture
def run_file(personas: Personas, django_capture_on_commit_callbacks: Any) -> Any:
    def run(
        source: ImportSource, path: Path, *, dry_run: bool = False, actor: Any = None
    ) -> ImportRun:
        with django_capture_on_commit_callbacks(execute=True):
            created = import_run_create(
                actor=actor or personas.caseworker_a,
                source=source,
                content=path.read_bytes(),
                file_name=path.name,
                dry_run=dry_run,
            )
        created.refresh_from_db()
        return created

    return run


def source_of(personas: Personas, mapping: dict[str, str] | None = None) -> ImportSource:
    return ImportSourceFactory.create(
        office=personas.office_a, **({"mapping": mapping} if mapping else {})
    )


def test_a_real_run_saves_the_good_rows_entirely_and_reports_each_bad_row(
    personas: Personas, run_file: Any, tmp_path: Path
) -> None:
    source = source_of(personas)
    path = write_xlsx(tmp_path / "kobo.xlsx", [GOOD[0], BAD_DATE, GOOD[1], NO_NAME, GOOD[2]])
    run = run_file(source, path)
    assert run.status == ImportRun.Status.DONE
    assert (run.rows_total, run.rows_done) == (5, 5)
    assert (run.created_count, run.error_count, run.held_count, run.unchanged_count) == (
        3,
        2,
        0,
        0,
    )
    assert run.report == [
        [3, "r-4", "date_of_birth", "Write the date as YYYY-MM-DD (or the year)."],
        [5, "r-5", "given_name", "This field cannot be blank."],
    ]
    people = Person.objects.filter(office=personas.office_a)
    assert sorted(p.given_name for p in people) == ["Amina", "Oksana", "Tesfaye"]
    amina = next(p for p in people if p.given_name == "Amina")
    # Saved as the registration would: every field, the indexes, the match keys.
    assert amina.date_of_birth == datetime.date(1990, 4, 2)
    assert amina.nationality == "NG"
    assert amina.contacts == [{"kind": "phone", "value": "+234 801 000"}]
    assert amina.name_index
    assert amina.dob_index
    assert MatchKey.objects.filter(person=amina).exists()
    assert ImportedRecord.objects.filter(source=source).count() == 3
    creates = AuditEvent.objects.filter(action="person.create")
    assert creates.count() == 3
    assert {e.details["import_run"] for e in creates} == {str(run.pk)}
    [event] = AuditEvent.objects.filter(action="import.run")
    assert event.details["created"] == 3
    assert event.details["errors"] == 2


def test_a_dry_run_validates_the_same_and_saves_nothing(
    personas: Personas, run_file: Any, tmp_path: Path
) -> None:
    source = source_of(personas)
    path = write_csv(tmp_path / "kobo.csv", [GOOD[0], BAD_DATE, GOOD[1]])
    run = run_file(source, path, dry_run=True)
    assert (run.created_count, run.error_count) == (2, 1)
    assert run.report == [
        [3, "r-4", "date_of_birth", "Write the date as YYYY-MM-DD (or the year)."]
    ]
    assert Person.objects.count() == 0
    assert ImportedRecord.objects.count() == 0
    assert not AuditEvent.objects.filter(action="person.create").exists()
    # The same file imported for real from the dry run's page.
    real = import_run_apply(actor=personas.caseworker_a, run=run)
    assert real.dry_run is False
    assert real.file_digest == run.file_digest


def test_reimporting_the_same_file_creates_nothing_new(
    personas: Personas, run_file: Any, tmp_path: Path
) -> None:
    source = source_of(personas)
    path = write_csv(tmp_path / "kobo.csv", [*GOOD, BAD_DATE])
    first = run_file(source, path)
    assert first.created_count == 3
    people, records = Person.objects.count(), ImportedRecord.objects.count()
    again = run_file(source, path)
    assert (again.created_count, again.unchanged_count, again.error_count) == (0, 3, 1)
    assert (Person.objects.count(), ImportedRecord.objects.count()) == (people, records)
    # A changed row with a known id is reported, not applied.
    changed = write_csv(tmp_path / "changed.csv", [[*GOOD[0][:2], "Okafor-Bello", *GOOD[0][3:]]])
    third = run_file(source, changed)
    assert third.created_count == 0
    assert third.report == [[2, "r-1", "", "Already imported; the changes are not applied."]]
    assert sorted(p.family_name for p in Person.objects.all()) == [
        "Gebremedhin",
        "Kovalenko",
        "Okafor",
    ]


def test_the_same_external_id_twice_in_a_file_is_an_error(
    personas: Personas, run_file: Any, tmp_path: Path
) -> None:
    source = source_of(personas)
    twice = ["r-1", "Tesfaye", "Gebremedhin", "1985-11-30", "male", "ET", ""]
    run = run_file(source, write_csv(tmp_path / "f.csv", [GOOD[0], twice]))
    assert run.created_count == 1
    assert run.report == [[3, "r-1", "external_id", "The same external id is on row 2."]]


HOUSEHOLD = [
    [
        "h-1",
        "Amina",
        "Okafor",
        "1990-04-02",
        "female",
        "NG",
        "",
        "HH1",
        "principal",
        "AVRR",
        "stranded",
    ],
    ["h-2", "Chidi", "Okafor", "2015-03-01", "male", "NG", "", "HH1", "child", "", ""],
    ["h-3", "Ngozi", "Okafor", "2018-07-09", "female", "NG", "", "HH1", "daughter", "", ""],
    [
        "h-4",
        "Tesfaye",
        "Gebremedhin",
        "1985-11-30",
        "male",
        "ET",
        "",
        "HH2",
        "head",
        "AVR",
        "irregular",
    ],
    ["h-5", "Selam", "Gebremedhin", "bad", "female", "ET", "", "HH2", "wife", "", ""],
]


def test_households_become_cases_and_a_bad_member_refuses_the_whole_household(
    personas: Personas, run_file: Any, tmp_path: Path
) -> None:
    source = source_of(personas, SAMPLE_MAPPING)
    path = write_xlsx(tmp_path / "households.xlsx", HOUSEHOLD, SAMPLE_HEADERS)
    run = run_file(source, path)
    assert (run.created_count, run.error_count, run.cases_created) == (3, 2, 1)
    assert run.report == [
        [5, "h-4", "household_id", "Not imported: row 6 of the same household has a problem."],
        [6, "h-5", "date_of_birth", "Write the date as YYYY-MM-DD (or the year)."],
    ]
    [case] = Case.objects.all()
    assert case.programme == "AVRR"
    assert case.category == "stranded"
    assert case.destination_country == "NG"  # the principal's nationality
    assert case.reference.startswith("OFFICE-A-")
    assert case.principal.given_name == "Amina"
    members = {m.person.given_name: m.relationship for m in CaseMember.objects.filter(case=case)}
    assert members == {"Amina": "principal", "Chidi": "child", "Ngozi": "child"}
    assert "Gebremedhin" not in {p.family_name for p in Person.objects.all()}
    assert AuditEvent.objects.filter(action="case.create", object_id=str(case.pk)).count() == 1
    # Re-import: nothing new, the household is counted as already imported.
    again = run_file(source, path)
    assert (again.created_count, again.unchanged_count, again.cases_created) == (0, 3, 0)
    assert Case.objects.count() == 1


def test_a_household_without_a_principal_is_refused(
    personas: Personas, run_file: Any, tmp_path: Path
) -> None:
    source = source_of(personas, SAMPLE_MAPPING)
    rows = [[*HOUSEHOLD[1][:8], "child", "AVRR", "stranded"], HOUSEHOLD[2]]
    run = run_file(source, write_csv(tmp_path / "f.csv", rows, SAMPLE_HEADERS))
    assert run.created_count == 0
    assert run.error_count == 2
    assert {line[3] for line in run.report} == {
        "The household has no principal applicant (relationship: principal)."
    }


def test_a_likely_duplicate_of_an_existing_person_is_held_and_named(
    personas: Personas, run_file: Any, tmp_path: Path
) -> None:
    existing = PersonFactory.create(
        office=personas.office_a,
        given_name="Amina",
        family_name="Okafor",
        date_of_birth=datetime.date(1990, 4, 2),
    )
    elsewhere = PersonFactory.create(
        office=personas.office_b,
        given_name="Tesfaye",
        family_name="Gebremedhin",
        date_of_birth=datetime.date(1985, 11, 30),
        sex="male",
        nationality="ET",
    )
    source = source_of(personas)
    spelled = ["r-1", "Aminah", "Okafor", "1990-04-02", "female", "NG", ""]
    run = run_file(source, write_csv(tmp_path / "f.csv", [spelled, GOOD[1], GOOD[2]]))
    assert (run.created_count, run.held_count) == (1, 2)
    assert run.report == [
        [2, "r-1", "", f"Possible duplicate of person {existing.pk}."],
        [3, "r-2", "", "Possible duplicate of a record held by Office B: ask that office."],
    ]
    assert Person.objects.count() == 3  # the two existing and Oksana
    assert elsewhere.pk  # never shown to office A beyond its office's name


def test_a_likely_duplicate_within_the_file_is_held(
    personas: Personas, run_file: Any, tmp_path: Path
) -> None:
    source = source_of(personas)
    again = ["r-9", "Amina", "Okafor", "1990-04-02", "female", "NG", ""]
    run = run_file(source, write_csv(tmp_path / "f.csv", [GOOD[0], GOOD[1], again]))
    assert (run.created_count, run.held_count) == (2, 1)
    assert run.report == [[4, "r-9", "", "Possible duplicate of row 2 of this file."]]


def test_within_file_duplicates_are_found_across_batches(
    personas: Personas, run_file: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "BATCH_ROWS", 1)
    source = source_of(personas)
    again = ["r-9", "Amina", "Okafor", "1990-04-02", "female", "NG", ""]
    for dry_run in (True, False):
        run = run_file(
            source, write_csv(tmp_path / "f.csv", [GOOD[0], GOOD[1], again]), dry_run=dry_run
        )
        assert run.report == [[4, "r-9", "", "Possible duplicate of row 2 of this file."]]
    assert Person.objects.count() == 2


def test_the_progress_is_saved_batch_by_batch(
    personas: Personas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "BATCH_ROWS", 2)
    source = source_of(personas)
    path = write_csv(tmp_path / "f.csv", [*GOOD, BAD_DATE, NO_NAME])
    run = import_run_create(
        actor=personas.caseworker_a, source=source, content=path.read_bytes(), dry_run=False
    )  # not committed in the test: the task is not run
    seen: list[tuple[str, int, int, int]] = []

    def look(_run: ImportRun) -> None:
        stored = ImportRun.objects.get(pk=run.pk)
        seen.append((stored.status, stored.rows_done, stored.rows_total, stored.created_count))

    engine.import_run_execute(run.pk, on_batch=look)
    assert seen == [("running", 2, 5, 2), ("running", 4, 5, 3), ("running", 5, 5, 3)]
    run.refresh_from_db()
    assert (run.status, run.rows_done, run.percent) == ("done", 5, 100)


def test_malformed_uploads_are_refused_and_save_nothing(personas: Personas, tmp_path: Path) -> None:
    source = source_of(personas)
    png = tmp_path / "people.xlsx"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    latin = tmp_path / "people.csv"
    latin.write_bytes(
        ",".join(PEOPLE_HEADERS).encode() + "\nr-1,Jos\xe9,M\xfcller,,,,\n".encode("latin-1")
    )
    no_id = write_csv(tmp_path / "no-id.csv", [row[1:] for row in GOOD], PEOPLE_HEADERS[1:])
    header_only = write_csv(tmp_path / "header.csv", [])
    cases = {
        png: "This is not an Excel workbook or a CSV file.",
        latin: "The file is not UTF-8 text.",
        no_id: "The file lacks the columns the source's mapping names: _uuid.",
        header_only: "The file has a header row but no data rows.",
    }
    for path, message in cases.items():
        with pytest.raises(FileRefused) as caught:
            import_run_create(actor=personas.caseworker_a, source=source, content=path.read_bytes())
        assert str(caught.value.message).startswith(message)
    assert ImportRun.objects.count() == 0
    assert Person.objects.count() == 0


def test_only_who_may_import_in_the_office(personas: Personas, tmp_path: Path) -> None:
    source = source_of(personas)
    content = write_csv(tmp_path / "f.csv", GOOD).read_bytes()
    for user in (personas.caseworker_b, personas.auditor_a, personas.partner):
        with pytest.raises(PermissionDenied):
            import_run_create(actor=user, source=source, content=content)
    # Households open cases: the manager may import people but not open cases.
    households = source_of(personas, SAMPLE_MAPPING)
    households.name = "households"
    households.save()
    with pytest.raises(PermissionDenied):
        import_run_create(actor=personas.manager_a, source=households, content=content)
    assert import_run_create(actor=personas.manager_a, source=source, content=content).pk
