"""Factories shared by every app's tests. App-specific ones live in tests/<app>/factories.py.

Convention used by the generated isolation test (tests/test_isolation.py): a model ``Foo`` is
made by a factory called ``FooFactory`` in this module or in any ``tests/<app>/factories.py``, and
the factory accepts ``office=`` for the office that owns the object.
"""

from __future__ import annotations

from typing import Any

import factory

from wayhome.accounts.models import Office, RoleGrant, User

TEST_PASSWORD = "correct horse battery staple"


class OfficeFactory(factory.django.DjangoModelFactory[Office]):
    class Meta:
        model = Office
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"office-{n}")
    name = factory.Sequence(lambda n: f"Office {n}")
    kind = Office.Kind.HOST
    country = "DE"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Staff Member {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def roles(self: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        """``roles=[(office, role), ...]``."""
        if not create:
            return
        self.save()
        for office, role in extracted or []:
            RoleGrant.objects.create(user=self, office=office, role=role)


class RoleGrantFactory(factory.django.DjangoModelFactory[RoleGrant]):
    class Meta:
        model = RoleGrant

    user = factory.SubFactory(UserFactory)
    office = factory.SubFactory(OfficeFactory)
    role = "caseworker"
