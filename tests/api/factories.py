"""API token factory. ``office=`` gives the token to a new user holding a role in that office
(tokens belong to users; a user belongs to offices through role grants)."""

from __future__ import annotations

from typing import Any

import factory

from tests.factories import UserFactory
from wayhome.accounts.permissions import Role
from wayhome.api.models import ApiToken
from wayhome.api.tokens import secret_digest, secret_new, secret_prefix


def _owner(params: Any) -> Any:
    roles = [(params.office, Role.CASEWORKER)] if params.office is not None else []
    return UserFactory.create(roles=roles)


class ApiTokenFactory(factory.django.DjangoModelFactory[ApiToken]):
    """``ApiTokenFactory.create(office=office_a)``. Tests that send a token use ``token_issue``,
    which returns the secret."""

    class Meta:
        model = ApiToken

    class Params:
        office = None
        secret = factory.LazyFunction(secret_new)

    user = factory.LazyAttribute(_owner)
    name = factory.Sequence(lambda n: f"token {n}")
    prefix = factory.LazyAttribute(lambda o: secret_prefix(o.secret))
    digest = factory.LazyAttribute(lambda o: secret_digest(o.secret))


# The generated isolation test finds the factory of a ``<entity>_id`` route parameter by name:
# ``token_id`` -> ``TokenFactory`` (tests/test_isolation.py).
TokenFactory = ApiTokenFactory
