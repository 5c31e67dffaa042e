"""The safety pages render for the people who use them, well-formed (unique ids, labels)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.cases.factories import CaseFactory
from tests.conftest import Personas, client_for
from tests.core.test_pages import id_problems
from tests.safety.factories import record, safety_officer
from wayhome.accounts.permissions import Role

pytestmark = pytest.mark.django_db


def test_the_pages_render_well_formed(personas: Personas) -> None:
    officer = safety_officer(personas.office_a)
    officer.grants.create(office=personas.office_a, role=Role.MANAGER)
    case = CaseFactory.create(office=personas.office_a, destination_country="AF")
    version, _ = record(officer, status="case_by_case")
    client = client_for(officer)
    urls = [
        reverse("safety:dashboard"),
        reverse("safety:restriction-list") + "?history=on&country=AF",
        reverse("safety:restriction-create"),
        reverse("safety:restriction-detail", kwargs={"restriction": version.pk}),
        reverse("safety:restriction-revise", kwargs={"restriction": version.pk}),
        reverse("safety:check") + "?country=AF&programme=AVRR",
        reverse("safety:case-restriction", kwargs={"case_id": case.pk}),
        reverse("cases:case-detail", kwargs={"case_id": case.pk}),
        reverse("core:home"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert id_problems(response.content.decode()) == [], url
    answer = client.get(reverse("safety:check") + "?country=AF&programme=AVRR")
    assert "Case by case" in answer.content.decode()
    assert "Allow this return" in client.get(urls[6]).content.decode()
