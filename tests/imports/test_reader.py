"""Reading uploaded files: what is refused, with which message, and what is read."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import openpyxl
import pytest

from tests.imports.factories import PEOPLE_HEADERS, write_csv, write_xlsx
from wayhome.imports.mapping import guess_mapping, header_key, mapping_problems, parse_row
from wayhome.imports.reader import CSV, XLSX, FileRefused, read_table

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def refused(content: bytes) -> str:
    with pytest.raises(FileRefused) as caught:
        read_table(content)
    return str(caught.value.message)


def test_a_png_renamed_xlsx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "people.xlsx"
    path.write_bytes(PNG)
    assert refused(path.read_bytes()) == "This is not an Excel workbook or a CSV file."


def test_a_latin1_csv_is_refused_with_the_encoding_to_use() -> None:
    content = "_uuid,first_name\nr-1,Jos\xe9 M\xfcller\n".encode("latin-1")
    assert "not UTF-8" in refused(content)
    assert "CSV UTF-8" in refused(content)


def test_an_empty_file_is_refused() -> None:
    assert refused(b"") == "The file is empty."
    assert refused(b"\n\n  \n") == "The file is empty."
    assert refused(b",,,\n,,\n") == "The file is empty."


def test_an_old_xls_and_a_zip_that_is_not_a_workbook_are_refused() -> None:
    assert ".xls" in refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert refused(buffer.getvalue()) == "This is not an Excel workbook or a CSV file."


def test_a_file_over_the_size_limit_is_refused(settings: object) -> None:
    settings.IMPORT_MAX_BYTES = 1024 * 1024  # type: ignore[attr-defined]
    content = b"_uuid,first_name\n" + b"r,x\n" * 300_000
    assert refused(content) == "The file is too large (at most 1 MB)."


def test_a_file_with_too_many_rows_is_refused(settings: object) -> None:
    settings.IMPORT_MAX_ROWS = 3  # type: ignore[attr-defined]
    content = b"_uuid,first_name\n" + b"".join(b"r%d,x\n" % n for n in range(4))
    assert refused(content) == "The file has more than 3 rows: split it into smaller files."


def test_two_columns_with_one_header_are_refused() -> None:
    assert "Two columns have the header first_name" in refused(b"first_name,first_name\na,b\n")


def test_a_csv_is_read_with_its_row_numbers(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "people.csv",
        [["r-1", "Amina", "Okafor", "1990-04-02", "female", "NG", ""], [], ["r-2", "Ba"]],
    )
    table = read_table(path.read_bytes())
    assert table.kind == CSV
    assert table.headers == PEOPLE_HEADERS
    assert table.numbers == [2, 4]  # the blank row 3 is skipped, the numbering is kept
    assert table.rows[1] == ["r-2", "Ba", "", "", "", "", ""]


def test_a_semicolon_csv_with_a_bom_is_read() -> None:
    content = "\ufeff_uuid;first_name\nr-1;Jos\xe9\n".encode()
    table = read_table(content)
    assert table.headers == ["_uuid", "first_name"]
    assert table.rows == [["r-1", "Jos\xe9"]]


def test_an_xlsx_is_read_dates_as_iso_numbers_without_decimals_formulas_not_run(
    tmp_path: Path,
) -> None:
    born = datetime.datetime(1990, 4, 2)  # noqa: DTZ001 (Excel dates are naive)
    path = write_xlsx(
        tmp_path / "people.xlsx", [[12345.0, "Amina", "Okafor", born, "female", "NG", "=1+1"]]
    )
    table = read_table(path.read_bytes())
    assert table.kind == XLSX
    assert table.rows == [["12345", "Amina", "Okafor", "1990-04-02", "female", "NG", ""]]


def test_only_the_first_sheet_is_read(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.append(["_uuid", "first_name"])
    first.append(["r-1", "Amina"])
    other = workbook.create_sheet("other")
    other.append(["x", "y"])
    path = tmp_path / "two.xlsx"
    workbook.save(path)
    assert read_table(path.read_bytes()).rows == [["r-1", "Amina"]]


def test_kobo_headers_are_guessed() -> None:
    headers = ["start", "_uuid", "group_a/First Name", "group_a/surname", "grp/dob", "_index"]
    assert guess_mapping(headers) == {
        "_uuid": "external_id",
        "group_a/First Name": "given_name",
        "group_a/surname": "family_name",
        "grp/dob": "date_of_birth",
    }
    assert header_key("group_x/Date of Birth") == "date_of_birth"


def test_a_mapping_without_the_id_column_has_a_problem() -> None:
    problems = mapping_problems({"first": "given_name", "last": "family_name"})
    assert problems == [
        "Choose the column that gives External id (the row's id in the source, required)."
    ]
    assert mapping_problems({"a": "external_id", "b": "given_name", "c": "family_name"}) == []


def test_values_are_read_and_bad_ones_reported_without_the_value() -> None:
    row = parse_row(
        {
            "external_id": "r-1",
            "given_name": "Amina",
            "family_name": "Okafor",
            "date_of_birth": "02/04/1990",
            "sex": "F",
            "nationality": "NGA",
            "languages": "ha, en",
            "phone": "+234 801",
        }
    )
    assert row.person["sex"] == "female"
    assert row.person["nationality"] == "NG"
    assert row.person["languages"] == ["ha", "en"]
    assert row.person["contacts"] == [{"kind": "phone", "value": "+234 801"}]
    assert row.errors == [("date_of_birth", "Write the date as YYYY-MM-DD (or the year).")]
    year = parse_row({"external_id": "r", "date_of_birth": "1990"})
    assert year.person["date_of_birth"] == datetime.date(1990, 1, 1)
    assert year.person["dob_precision"] == "year"
