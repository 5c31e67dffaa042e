from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import UserFactory
from wayhome.api.auth import token_authenticate
from wayhome.api.models import ApiToken

pytestmark = pytest.mark.django_db


def test_issue_token_prints_only_the_token() -> None:
    user = UserFactory.create(email="ops@example.org")
    out, err = StringIO(), StringIO()
    call_command(
        "issue_token", "--email", "OPS@example.org", "--name", "sync", stdout=out, stderr=err
    )
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    token = token_authenticate(lines[0])
    assert token is not None
    assert token.user == user
    assert token.name == "sync"
    assert err.getvalue() == ""


def test_issue_token_unknown_or_inactive_user() -> None:
    with pytest.raises(CommandError):
        call_command("issue_token", "--email", "nobody@example.org", stdout=StringIO())
    UserFactory.create(email="gone@example.org", is_active=False)
    with pytest.raises(CommandError):
        call_command("issue_token", "--email", "gone@example.org", stdout=StringIO())
    assert not ApiToken.objects.exists()
