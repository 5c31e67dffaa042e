from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Personas, client_for
from tests.factories import OfficeFactory, RoleGrantFactory
from wayhome.accounts.permissions import Role

pytestmark = pytest.mark.django_db


def test_home_lists_the_users_offices_and_roles_only(personas: Personas) -> None:
    user = personas.caseworker_a
    RoleGrantFactory.create(user=user, office=personas.office_a, role=Role.MEDICAL)
    inactive = OfficeFactory.create(code="closed", name="Closed Office", is_active=False)
    RoleGrantFactory.create(user=user, office=inactive, role=Role.CASEWORKER)
    html = client_for(user).get(reverse("core:home")).content.decode()
    assert "Office A" in html
    assert "Caseworker (counsellor), Medical officer" in html
    assert "Office B" not in html
    assert "Closed Office" not in html
    assert "Nothing is waiting for you." in html


def test_home_says_so_when_the_user_holds_no_role(db: None) -> None:
    from tests.factories import UserFactory

    html = client_for(UserFactory.create()).get(reverse("core:home")).content.decode()
    assert "You do not hold a role in any office yet" in html


def test_navigation_follows_the_roles(personas: Personas) -> None:
    caseworker = client_for(personas.caseworker_a).get(reverse("core:home")).content.decode()
    auditor = client_for(personas.auditor_a).get(reverse("core:home")).content.decode()
    assert reverse("people:person-list") in caseworker
    assert reverse("audit:event-list") not in caseworker
    assert reverse("audit:event-list") in auditor
    assert reverse("people:person-list") not in auditor
    assert reverse("eligibility:ruleset-list") in caseworker
    assert reverse("eligibility:ruleset-list") not in auditor


def test_page_shell_has_landmarks_and_a_skip_link(personas: Personas) -> None:
    html = client_for(personas.caseworker_a).get(reverse("core:home")).content.decode()
    assert 'href="#main"' in html
    assert '<main id="main"' in html
    assert "<nav " in html
    assert '<label for="office-select">' in html
    assert '<label for="language-select">' in html


def test_unknown_page_uses_the_wayhome_404_page(db: None) -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_home_counts_inquiries_feedback_and_misconduct_for_those_who_handle_them(
    personas: Personas,
) -> None:
    from tests.factories import UserFactory
    from tests.feedback.factories import FeedbackFactory
    from tests.portal.factories import InquiryFactory
    from wayhome.feedback.models import Kind

    InquiryFactory.create(office=personas.office_a)
    FeedbackFactory.create(office=personas.office_a, kind=Kind.COMPLAINT)
    FeedbackFactory.create(office=personas.office_a, kind=Kind.MISCONDUCT)
    FeedbackFactory.create(office=personas.office_b, kind=Kind.COMPLAINT)
    ethics = UserFactory.create(roles=[(personas.office_a, Role.ETHICS)])

    caseworker = client_for(personas.caseworker_a).get(reverse("core:home")).content.decode()
    assert "1 new inquiry from the portal" in caseworker
    assert "1 open feedback report" in caseworker  # not the misconduct report, not office B's
    assert "misconduct" not in caseworker

    independent = client_for(ethics).get(reverse("core:home")).content.decode()
    assert "1 open misconduct report" in independent
    assert "inquir" not in independent
    assert "feedback report" not in independent

    auditor = client_for(personas.auditor_a).get(reverse("core:home")).content.decode()
    assert "voice-heading" not in auditor
