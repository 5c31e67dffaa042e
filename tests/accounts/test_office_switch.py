from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import Personas, client_for
from tests.factories import OfficeFactory, RoleGrantFactory
from wayhome.accounts.permissions import Role
from wayhome.accounts.selectors import SESSION_OFFICE

pytestmark = pytest.mark.django_db

SWITCH = reverse("accounts:office-switch")


def test_switch_to_an_office_where_the_user_holds_a_role(personas: Personas) -> None:
    user = personas.caseworker_a
    office_c = OfficeFactory.create(code="office-c", name="Office C")
    RoleGrantFactory.create(user=user, office=office_c, role=Role.OPERATIONS)
    client = client_for(user)
    assert client.get(reverse("core:home")).context["current_office"] == personas.office_a
    response = client.post(SWITCH, {"office": office_c.pk, "next": "/people/"})
    assert response.status_code == 302
    assert response["Location"] == "/people/"
    assert client.session[SESSION_OFFICE] == str(office_c.pk)
    assert client.get(reverse("core:home")).context["current_office"] == office_c


def test_switch_to_another_office_is_404(personas: Personas) -> None:
    client = client_for(personas.caseworker_a)
    response = client.post(SWITCH, {"office": personas.office_b.pk})
    assert response.status_code == 404
    assert SESSION_OFFICE not in client.session


@pytest.mark.parametrize("value", ["", "not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_switch_to_no_office_or_garbage_is_404(personas: Personas, value: str) -> None:
    response = client_for(personas.caseworker_a).post(SWITCH, {"office": value})
    assert response.status_code == 404


def test_switch_to_an_inactive_office_is_404(personas: Personas) -> None:
    office_c = OfficeFactory.create(code="office-c", is_active=False)
    RoleGrantFactory.create(user=personas.caseworker_a, office=office_c, role=Role.CASEWORKER)
    response = client_for(personas.caseworker_a).post(SWITCH, {"office": office_c.pk})
    assert response.status_code == 404


def test_switch_is_post_only(personas: Personas) -> None:
    response = client_for(personas.caseworker_a).get(SWITCH)
    assert response.status_code == 405


def test_switch_ignores_an_offsite_next(personas: Personas) -> None:
    client = client_for(personas.caseworker_a)
    response = client.post(SWITCH, {"office": personas.office_a.pk, "next": "https://evil.test/"})
    assert response["Location"] == reverse("core:home")


def test_a_revoked_role_drops_the_chosen_office(personas: Personas) -> None:
    user = personas.caseworker_a
    office_c = OfficeFactory.create(code="office-c", name="Office C")
    grant = RoleGrantFactory.create(user=user, office=office_c, role=Role.CASEWORKER)
    client = client_for(user)
    client.post(SWITCH, {"office": office_c.pk})
    grant.delete()
    assert client.get(reverse("core:home")).context["current_office"] == personas.office_a
