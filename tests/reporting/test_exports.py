"""Exports of tables (CSV, XLSX) and their HXL row: every tag is valid HXL, the files hold the
protected figures and nothing else, text never becomes a formula, and an unprotected table is
refused."""

from __future__ import annotations

import codecs
import csv
import io
from typing import Any

import openpyxl
import pytest

from tests.conftest import Personas
from tests.reporting.factories import ReturnFactFactory
from wayhome.reporting import hxl
from wayhome.reporting.dimensions import AGE_GROUPS, DIMENSIONS, Dimension
from wayhome.reporting.exports import MARKER, table_csv, table_xlsx
from wayhome.reporting.models import ReturnFact
from wayhome.reporting.tables import COUNT, Key, Table, sensitive_threshold, tabulate, threshold

# --- HXL ------------------------------------------------------------------------------------------

SAMPLE_CODES: dict[str, list[str]] = {
    "month": ["2026-01", "2026-02", ""],
    "quarter": ["2026-Q1", "2026-Q2"],
    "year": ["2025", "2026"],
    "office": ["office-a", "office-b"],
    "host_country": ["DE", "GR"],
    "origin_country": ["NG", "IQ", ""],
    "origin_region": ["NG-LA", "IQ-BG"],
    "origin_area": ["western_africa", "western_asia"],
    "funding_source": ["AMIF", "Fonds Européen", ""],
}


def codes_of(dimension: Dimension) -> list[str]:
    if dimension.codes is not None:
        return [*dimension.codes(), ""]
    return SAMPLE_CODES[dimension.name]


def table_of(rows: Dimension, cols: Dimension | None, measure: str) -> Table:
    row_keys = tuple(Key(code, code or "Not known") for code in codes_of(rows))
    if cols is None:
        col_keys: tuple[Key, ...] = (Key(COUNT, "People"),)
    else:
        col_keys = tuple(Key(code, code or "Not known") for code in dict.fromkeys(codes_of(cols)))
    return Table(
        title="t",
        row_dimension=rows,
        col_dimension=cols,
        rows=row_keys,
        cols=col_keys,
        counts={},
        measure=measure,
    )


COLUMN_DIMENSIONS = ["sex", "age_group", "origin_country", "quarter", "category", "funding_source"]


@pytest.mark.parametrize("measure", ["people", "cases"])
@pytest.mark.parametrize("rows", sorted(DIMENSIONS))
def test_every_tag_of_every_dimension_is_valid_hxl(rows: str, measure: str) -> None:
    row_dimension = DIMENSIONS[rows]
    tables = [table_of(row_dimension, None, measure)]
    tables += [
        table_of(row_dimension, DIMENSIONS[cols], measure)
        for cols in COLUMN_DIMENSIONS
        if cols != rows
    ]
    for table in tables:
        tags = hxl.table_tags(table)
        label_columns = 2 if row_dimension.coded else 1
        assert len(tags) == label_columns + len(table.cols) + (0 if table.one_way else 1)
        assert len(set(tags)) == len(tags), tags  # every column tells what it holds
        for tag in tags:
            assert hxl.validate(tag) == [], tag


@pytest.mark.parametrize(
    ("tag", "problem"),
    [
        ("#1abc", "not HXL syntax"),
        ("#affected+", "not HXL syntax"),
        ("affected", "not HXL syntax"),
        ("#affected+f-m", "not HXL syntax"),
        ("#affected +é", "not HXL syntax"),
        ("#notahashtag", "#notahashtag is not a core HXL hashtag"),
        ("#x_toxicity", "#x_toxicity is not a core HXL hashtag"),
        ("#affected+x_custom", "+x_custom is reserved"),
        ("#affected+returnees", "+returnees is neither a core HXL attribute nor one of ours"),
        ("#affected+f+f", "repeats an attribute"),
    ],
)
def test_validate_rejects_bad_tags(tag: str, problem: str) -> None:
    problems = hxl.validate(tag)
    assert len(problems) == 1
    assert problem in problems[0]


def test_hxl_syntax_ignores_case_order_and_whitespace() -> None:
    assert hxl.parse("  #Affected +F\t+Children ") == ("#affected", ("+f", "+children"))
    assert hxl.validate("#Affected +F +children +i_ar +v_iso3") == []
    assert hxl.compose("#country +origin", "code", "+origin") == "#country+origin+code"
    with pytest.raises(ValueError, match="Not a HXL hashtag"):
        hxl.parse("#affected +")


def test_the_tags_chosen() -> None:
    sex, age = DIMENSIONS["sex"], DIMENSIONS["age_group"]
    by_sex = table_of(DIMENSIONS["origin_country"], sex, "people")
    assert hxl.table_tags(by_sex) == [
        "#country+origin+code+v_iso2",
        "#country+origin+name",
        "#reached+ind+f",
        "#reached+ind+m",
        "#reached+ind+i",
        "#reached+ind+sex_unknown",
        "#reached+ind+sex_unknown_2",  # "" is not known either: told apart
        "#reached+ind",
    ]
    by_age = table_of(DIMENSIONS["month"], age, "cases")
    assert hxl.table_tags(by_age)[0] == "#date+departure"
    assert hxl.value_tags(by_age) == [
        "#reached+hh+children+age_0_4",
        "#reached+hh+children+age_5_11",
        "#reached+hh+children+age_12_17",
        "#reached+hh+adults+age_18_24",
        "#reached+hh+adults+age_25_59",
        "#reached+hh+elderly+age_60_plus",
        "#reached+hh+age_group_unknown",
        "#reached+hh",
    ]
    assert len(AGE_GROUPS) == 6  # a new group needs its tag checked above
    by_quarter = table_of(DIMENSIONS["category"], DIMENSIONS["quarter"], "people")
    assert hxl.table_tags(by_quarter)[:4] == [
        "#beneficiary+type+code",
        "#beneficiary+type+name",
        "#reached+ind+quarter_2026_q1",
        "#reached+ind+quarter_2026_q2",
    ]
    assert hxl.count_tag("people") == "#reached+ind"
    with pytest.raises(ValueError, match="measure"):
        hxl.count_tag("households")


def test_every_attribute_of_ours_is_described() -> None:
    for attribute, meaning in hxl.CUSTOM_ATTRIBUTES.items():
        assert attribute not in hxl.CORE_ATTRIBUTES
        assert hxl.validate(f"#meta{attribute}") == []
        assert meaning.endswith(".")
    assert "age group" in hxl.describe("+age_60_plus")
    assert "breakdown with no HXL attribute" in hxl.describe("+origin_country_ng")
    assert hxl.describe("+returnees") == ""


# --- the files ------------------------------------------------------------------------------------


@pytest.fixture
def facts(personas: Personas) -> None:
    """23 people by sex and age group: some cells below the thresholds (5; 10 for children)."""
    office = personas.office_a
    for sex, age, count in [
        ("female", "25-59", 7),
        ("male", "25-59", 6),
        ("female", "18-24", 5),
        ("male", "18-24", 2),
        ("female", "0-4", 3),
    ]:
        ReturnFactFactory.create_batch(count, office=office, sex=sex, age_group=age)


def expected(table: Table, *, exact: bool = False) -> list[list[int | str]]:
    return [
        [MARKER if value is None else value for value in row] for row in table.grid(exact=exact)
    ]


def xlsx_rows(data: bytes) -> tuple[Any, list[tuple[Any, ...]]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    return workbook, list(sheet.iter_rows(values_only=True))


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.usefixtures("facts")
def test_the_workbook_holds_the_protected_figures() -> None:
    table = tabulate(ReturnFact.objects.all(), "sex", "age_group").protect()
    grid = expected(table)
    assert grid[1][3] == MARKER  # male 18-24: 2
    assert grid[0][0] == MARKER  # girls 0-4: 3, below the threshold for children
    assert grid[0][6] == 15  # all women
    assert grid[4][4] == 13  # everyone 25-59
    workbook, rows = xlsx_rows(table_xlsx(table))
    assert rows[0] == ("Sex", *(key.label for key in table.cols), "Total")
    assert list(rows[1]) == hxl.table_tags(table)  # the HXL row is the second
    assert rows[1][0] == "#meta+sex+name"
    body = rows[2:]
    assert [row[0] for row in body] == [key.label for key in table.rows] + ["Total"]
    assert [list(row[1:]) for row in body] == grid
    assert all(isinstance(value, int) for row in body for value in row[1:] if value != MARKER)
    sheet = workbook.worksheets[0]
    assert sheet.freeze_panes == "B3"
    about = dict(workbook["About"].iter_rows(values_only=True))
    assert f"Cells below {threshold()} are not published" in about["Disclosure rule"]
    assert f"below {sensitive_threshold()} for victims of trafficking" in about["Disclosure rule"]
    assert about[MARKER].startswith("x: not published")
    assert about["Title"] == "Sex"
    # The attributes of our own in the HXL row are explained.
    assert about["+sex"] == hxl.CUSTOM_ATTRIBUTES["+sex"]
    assert about["+age_0_4"].startswith("An age group, in years")
    assert "+f" not in about  # a core attribute needs no explanation


@pytest.mark.usefixtures("facts")
def test_the_csv_holds_the_protected_figures() -> None:
    table = tabulate(ReturnFact.objects.all(), "sex", "age_group").protect()
    rows = csv_rows(table_csv(table))
    assert rows[0] == ["Sex", *(key.label for key in table.cols), "Total"]
    assert rows[1] == hxl.table_tags(table)  # the HXL row is the second
    body = rows[2 : 2 + len(table.rows) + 1]
    assert [row[0] for row in body] == [key.label for key in table.rows] + ["Total"]
    assert [row[1:] for row in body] == [[str(value) for value in row] for row in expected(table)]
    assert rows[-2] == []
    assert rows[-1][0].startswith("x: not published, to protect the people counted")
    assert f"below {threshold()} (below {sensitive_threshold()}" in rows[-1][0]


@pytest.mark.usefixtures("facts")
def test_a_one_way_table_of_cases_with_codes(personas: Personas) -> None:
    ReturnFactFactory.create_batch(
        6, office=personas.office_a, origin_country="IQ", funding_source="Fonds européen ليبيا"
    )
    table = tabulate(ReturnFact.objects.all(), "origin_country", measure="cases").protect()
    assert [key.code for key in table.rows] == ["IQ", "NG"]
    _workbook, rows = xlsx_rows(table_xlsx(table))
    assert rows[0] == ("Country of origin (code)", "Country of origin", "Cases")
    assert rows[1] == ("#country+origin+code+v_iso2", "#country+origin+name", "#reached+hh")
    assert rows[2:] == [("IQ", "Iraq", 6), ("NG", "Nigeria", 23), (None, "Total", 29)]
    assert csv_rows(table_csv(table))[2:5] == [
        ["IQ", "Iraq", "6"],
        ["NG", "Nigeria", "23"],
        ["", "Total", "29"],
    ]
    by_funder = tabulate(ReturnFact.objects.all(), "funding_source").protect()
    text = table_csv(by_funder).decode("utf-8-sig")
    assert "Fonds européen ليبيا,6" in text  # accents and Arabic survive the round trip


def test_formula_looking_text_is_neutralised(personas: Personas) -> None:
    evil = '=HYPERLINK("http://evil.example/","Open")'
    ReturnFactFactory.create_batch(5, office=personas.office_a, funding_source=evil)
    ReturnFactFactory.create_batch(5, office=personas.office_a, funding_source="@SUM(A1)")
    table = tabulate(
        ReturnFact.objects.all(), "funding_source", "sex", title="+cmd|' /C calc'!A0"
    ).protect()
    workbook, rows = xlsx_rows(table_xlsx(table))
    labels = [row[0] for row in rows[2:4]]
    assert sorted(labels) == ['\'=HYPERLINK("http://evil.example/","Open")', "'@SUM(A1)"]
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows(min_row=1, max_col=1):
        assert row[0].data_type == "s"  # text, never a formula
    assert dict(workbook["About"].iter_rows(values_only=True))["Title"] == "'+cmd|' /C calc'!A0"
    csv_labels = sorted(row[0] for row in csv_rows(table_csv(table))[2:4])
    assert csv_labels == sorted(labels)


@pytest.mark.usefixtures("facts")
def test_an_unprotected_table_is_refused() -> None:
    table = tabulate(ReturnFact.objects.all(), "sex", "age_group")
    with pytest.raises(ValueError, match="protected"):
        table_csv(table)
    with pytest.raises(ValueError, match="protected"):
        table_xlsx(table)
    # For internal use only: the exact figures, no cell suppressed.
    _workbook, rows = xlsx_rows(table_xlsx(table, exact=True))
    assert [list(row[1:]) for row in rows[2:]] == expected(table, exact=True)
    assert rows[3][4] == 2  # male 18-24
    assert csv_rows(table_csv(table, exact=True))[-1] == [
        "Exact figures, for internal use only: no cell is suppressed."
    ]
