"""The ethics and conduct role, which handles reports of staff misconduct, is independent of the
office: it is never combined with another role in the same office."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.factories import OfficeFactory, UserFactory
from wayhome.accounts.models import RoleGrant
from wayhome.accounts.permissions import Perm, Role, permissions_of
from wayhome.accounts.services import role_grant

pytestmark = pytest.mark.django_db


def test_the_ethics_role_grants_the_misconduct_queue_only() -> None:
    assert permissions_of(Role.ETHICS) == frozenset({Perm.MISCONDUCT_HANDLE})
    others = {perm for role in Role if role != Role.ETHICS for perm in permissions_of(role)}
    assert Perm.MISCONDUCT_HANDLE not in others


def test_the_ethics_role_is_not_combined_with_another_in_one_office() -> None:
    office, elsewhere = OfficeFactory.create(), OfficeFactory.create()
    officer = UserFactory.create()
    role_grant(actor=None, user=officer, office=office, role=Role.ETHICS)
    with pytest.raises(ValidationError) as error:
        role_grant(actor=None, user=officer, office=office, role=Role.MANAGER)
    assert error.value.code == "ethics_independent"
    # The same person may hold another role in another office, and ethics in several offices.
    role_grant(actor=None, user=officer, office=elsewhere, role=Role.MANAGER)
    manager = UserFactory.create()
    role_grant(actor=None, user=manager, office=office, role=Role.MANAGER)
    with pytest.raises(ValidationError):
        role_grant(actor=None, user=manager, office=office, role=Role.ETHICS)
    assert set(RoleGrant.objects.filter(office=office).values_list("role", flat=True)) == {
        Role.ETHICS,
        Role.MANAGER,
    }
    # Granting a role already held is not a combination.
    role_grant(actor=None, user=officer, office=office, role=Role.ETHICS)
