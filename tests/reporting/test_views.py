"""The statistics pages: who may read them, disclosure control on screen, exact figures only for
readers who may see every case, drill-down, and exports equal to the page."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from tests.cases.factories import CaseFactory
from tests.conftest import Personas, client_for
from tests.factories import UserFactory
from tests.reporting.factories import ReturnFactFactory
from wayhome.accounts.models import User
from wayhome.accounts.permissions import Role
from wayhome.audit.models import AuditEvent
from wayhome.reporting.tables import TOTAL

pytestmark = pytest.mark.django_db


@pytest.fixture
def me_officer(personas: Personas) -> User:
    """Monitoring and evaluation: reads reports, may not open cases."""
    return UserFactory.create(
        email="me-a@example.org", roles=[(personas.office_a, Role.ME_OFFICER)]
    )


@pytest.fixture
def data(personas: Personas) -> None:
    for _ in range(12):
        ReturnFactFactory.create(office=personas.office_a, origin_country="NG", sex="female")
    for _ in range(3):
        ReturnFactFactory.create(office=personas.office_a, origin_country="SN", sex="male")
    for _ in range(7):
        ReturnFactFactory.create(office=personas.office_a, origin_country="IQ", sex="male")
    for _ in range(9):
        ReturnFactFactory.create(office=personas.office_b, origin_country="SN", sex="male")


def _view(response: Any, anchor: str) -> Any:
    return next(view for view in response.context["tables"] if view.anchor == anchor)


def test_only_report_readers_see_statistics(personas: Personas) -> None:
    for name in ("dashboard", "outcomes", "indicators", "table"):
        url = reverse(f"reporting:{name}")
        assert client_for(personas.caseworker_a).get(url).status_code == 403
        assert client_for(personas.manager_a).get(url).status_code == 200


def test_small_cells_are_withheld_with_what_would_reveal_them(
    personas: Personas, me_officer: User, data: None
) -> None:
    response = client_for(me_officer).get(reverse("reporting:dashboard"))
    assert response.status_code == 200
    view = _view(response, "t-origin_country")
    cells = {key.code: cells[0] for key, cells, _url in view.rows}
    # Office B's 9 are not counted; Senegal's 3 is withheld, and so is the next smallest (Iraq's
    # 7), or the 3 could be worked out from the total of 22.
    assert cells == {"NG": 12, "SN": None, "IQ": None, TOTAL: 22}
    assert b"Withheld to protect people" in response.content
    assert not view.rows[0][2]  # no drill-down link on protected figures


def test_exact_figures_only_for_readers_who_may_open_every_case(
    personas: Personas, me_officer: User, data: None
) -> None:
    url = reverse("reporting:dashboard") + "?exact=on"
    exact = _view(client_for(personas.manager_a).get(url), "t-origin_country")
    assert {key.code: cells[0] for key, cells, _u in exact.rows}["SN"] == 3
    links = {key.code: link for key, _cells, link in exact.rows}
    assert links["SN"] == reverse("cases:case-list") + "?destination_country=SN"
    # The M&E officer may not open cases: the choice is not offered and the figures stay protected.
    response = client_for(me_officer).get(url)
    assert "exact" not in response.context["form"].fields
    protected = _view(response, "t-origin_country")
    assert {key.code: cells[0] for key, cells, _u in protected.rows}["SN"] is None


def test_a_sensitive_filter_applies_the_stricter_threshold(personas: Personas) -> None:
    for _ in range(7):
        ReturnFactFactory.create(office=personas.office_a, category="victim_of_trafficking")
    for _ in range(12):
        ReturnFactFactory.create(
            office=personas.office_a, category="victim_of_trafficking", origin_country="SN"
        )
    client = client_for(personas.manager_a)
    response = client.get(reverse("reporting:dashboard"), {"category": "victim_of_trafficking"})
    view = _view(response, "t-origin_country")
    cells = {key.code: cells[0] for key, cells, _url in view.rows}
    assert cells["NG"] is None  # 7 < 10 for trafficking
    assert cells["SN"] is None  # the complementary cell


def test_xlsx_and_csv_exports_hold_the_page_figures_and_are_audited(
    personas: Personas, me_officer: User, data: None
) -> None:
    client = client_for(me_officer)
    params = {"rows": "origin_country", "cols": "sex", "measure": "people"}
    page = client.get(reverse("reporting:table"), params)
    view = page.context["view"]
    expected = [[None if cell is None else cell for cell in cells] for _k, cells, _u in view.rows]

    xlsx = client.get(reverse("reporting:table-export"), {**params, "format": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"].startswith("attachment")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    hxl_index = next(i for i, row in enumerate(values) if row and str(row[0] or "").startswith("#"))
    body = values[hxl_index + 1 : hxl_index + 1 + len(expected)]
    width = len(expected[0])
    found = [[None if cell == "x" else cell for cell in row[-width:]] for row in body]
    assert found == expected

    text = client.get(reverse("reporting:table-export"), {**params, "format": "csv"})
    rows = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    hxl_at = next(i for i, row in enumerate(rows) if row and row[0].startswith("#"))
    parsed = [
        [None if cell == "x" else int(cell) for cell in row[-width:]]
        for row in rows[hxl_at + 1 : hxl_at + 1 + len(expected)]
    ]
    assert parsed == expected
    events = AuditEvent.objects.filter(action="reporting.export")
    assert events.count() == 2
    assert {event.details["format"] for event in events} == {"csv", "xlsx"}


def test_a_bad_choice_is_a_clear_error(personas: Personas) -> None:
    client = client_for(personas.manager_a)
    response = client.get(reverse("reporting:table"), {"rows": "sex", "cols": "sex"})
    assert response.status_code == 400
    assert b"Choose two different breakdowns." in response.content
    bad = client.get(reverse("reporting:table-export"), {"rows": "nope", "format": "csv"})
    assert bad.status_code == 400


def test_other_offices_cannot_be_chosen(personas: Personas, data: None) -> None:
    client = client_for(personas.manager_a)
    response = client.get(reverse("reporting:dashboard"), {"office": str(personas.office_b.pk)})
    assert response.status_code == 200
    assert response.context["form"].errors  # not a choice


def test_the_dashboard_is_cached_until_the_facts_change(personas: Personas, data: None) -> None:
    client = client_for(personas.manager_a)
    first = client.get(reverse("reporting:dashboard"))
    assert first.context["figures_from_cache"] is False
    again = client.get(reverse("reporting:dashboard"))
    assert again.context["figures_from_cache"] is True
    assert again.context["body"] == first.context["body"]
    # A case changes: its facts are recomputed and the figures with them.
    CaseFactory.create(office=personas.office_a)
    after = client.get(reverse("reporting:dashboard"))
    assert after.context["figures_from_cache"] is False
