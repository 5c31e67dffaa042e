from __future__ import annotations

import pytest
from django.http import Http404

from tests.conftest import Personas
from wayhome.accounts.models import Office
from wayhome.accounts.permissions import ROLE_PERMISSIONS, Perm, Role
from wayhome.accounts.policies import OfficePolicy, has_perm, has_perm_anywhere, offices_with

pytestmark = pytest.mark.django_db

office_policy = OfficePolicy(Office, view=Perm.PERSON_VIEW, office_path="pk")


def test_every_role_has_a_permission_set() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role.values)


def test_permissions_hold_only_in_the_granting_office(personas: Personas) -> None:
    assert has_perm(personas.caseworker_a, Perm.PERSON_VIEW, personas.office_a.pk)
    assert not has_perm(personas.caseworker_a, Perm.PERSON_VIEW, personas.office_b.pk)
    assert offices_with(personas.caseworker_b, Perm.PERSON_VIEW) == {personas.office_b.pk}


def test_deny_by_default_for_roles_without_the_permission(personas: Personas) -> None:
    assert not has_perm_anywhere(personas.partner, Perm.PERSON_VIEW)
    assert not has_perm_anywhere(personas.auditor_a, Perm.PERSON_VIEW)
    assert not has_perm(personas.caseworker_a, Perm.AUDIT_VIEW, personas.office_a.pk)


def test_sensitive_permissions_are_separate(personas: Personas) -> None:
    assert not has_perm(personas.caseworker_a, Perm.SENSITIVE_TRAFFICKING, personas.office_a.pk)
    assert has_perm(personas.manager_a, Perm.SENSITIVE_TRAFFICKING, personas.office_a.pk)
    assert not has_perm_anywhere(personas.caseworker_a, Perm.SENSITIVE_HEALTH)


def test_inactive_user_holds_nothing(personas: Personas) -> None:
    user = personas.caseworker_a
    user.is_active = False
    assert not has_perm(user, Perm.PERSON_VIEW, personas.office_a.pk)


def test_policy_filter_and_check_agree(personas: Personas) -> None:
    visible = set(office_policy.filter(personas.caseworker_b))
    assert visible == {personas.office_b}
    assert office_policy.check(personas.caseworker_b, personas.office_b)
    assert not office_policy.check(personas.caseworker_b, personas.office_a)


def test_get_or_404_hides_other_offices(personas: Personas) -> None:
    with pytest.raises(Http404):
        office_policy.get_or_404(personas.caseworker_b, personas.office_a.pk)
    with pytest.raises(Http404):
        office_policy.get_or_404(personas.caseworker_b, "not-a-uuid")
    assert (
        office_policy.get_or_404(personas.caseworker_b, personas.office_b.pk) == personas.office_b
    )
