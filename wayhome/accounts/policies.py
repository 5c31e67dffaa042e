"""Who may do what: one policy object per kind of record, checking one object or filtering many.

Every rule is written once. ``OfficePolicy.filter`` narrows a queryset to what the user may see,
``OfficePolicy.check`` answers for one object, and ``OfficePolicy.get_or_404`` fetches and
authorises in one call: an object the user may not see raises ``Http404`` exactly as one that does
not exist, so its existence is never disclosed.

A user's grants are read once per request and cached on the user object.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.http import Http404

from wayhome.accounts.models import RoleGrant, User
from wayhome.accounts.permissions import Perm, permissions_of

_CACHE_ATTR = "_wayhome_office_perms"

AnyUser = User | AnonymousUser


def office_permissions(user: AnyUser) -> dict[uuid.UUID, frozenset[Perm]]:
    """The permissions the user holds in each office (empty for anonymous or inactive users)."""
    if not user.is_authenticated or not user.is_active:
        return {}
    cached: dict[uuid.UUID, frozenset[Perm]] | None = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    result: dict[uuid.UUID, set[Perm]] = {}
    grants = RoleGrant.objects.filter(user=user, office__is_active=True).values_list(
        "office_id", "role"
    )
    for office_id, role in grants:
        result.setdefault(office_id, set()).update(permissions_of(role))
    frozen = {office: frozenset(perms) for office, perms in result.items()}
    setattr(user, _CACHE_ATTR, frozen)
    return frozen


def forget_permissions(user: AnyUser) -> None:
    """Drop the cached grants (after a grant changes)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def offices_with(user: AnyUser, perm: Perm) -> set[uuid.UUID]:
    return {office for office, perms in office_permissions(user).items() if perm in perms}


def has_perm(user: AnyUser, perm: Perm, office_id: uuid.UUID | None) -> bool:
    if office_id is None:
        return False
    return perm in office_permissions(user).get(office_id, frozenset())


def is_office_staff(user: AnyUser) -> bool:
    """Whether the user holds any permission in any office (partner users hold none)."""
    return any(office_permissions(user).values())


def has_perm_anywhere(user: AnyUser, perm: Perm) -> bool:
    return any(perm in perms for perms in office_permissions(user).values())


M = TypeVar("M", bound=models.Model)


class OfficePolicy(Generic[M]):
    """Records owned by an office, reachable through ``office_path`` (a field lookup path).

    ``view`` is the permission needed to see a record at all; other permissions (to change,
    approve...) are passed to ``check``/``filter`` explicitly and are checked in the same office.
    """

    def __init__(self, model: type[M], *, view: Perm, office_path: str = "office") -> None:
        self.model = model
        self.view = view
        self.office_path = office_path

    def office_id_of(self, obj: M) -> uuid.UUID | None:
        """The id of the office that owns ``obj``, following ``office_path``."""
        if self.office_path == "pk":  # the records are offices themselves
            return obj.pk if isinstance(obj.pk, uuid.UUID) else None
        parts = self.office_path.split("__")
        target: Any = obj
        for part in parts[:-1]:
            target = getattr(target, part)
            if target is None:
                return None
        office_id = getattr(target, parts[-1] + "_id", None)
        return office_id if isinstance(office_id, uuid.UUID) else None

    def filter(
        self, user: AnyUser, queryset: models.QuerySet[M] | None = None, *, perm: Perm | None = None
    ) -> models.QuerySet[M]:
        queryset = queryset if queryset is not None else self.model._default_manager.all()
        offices = self._offices(user, perm)
        if not offices:
            return queryset.none()
        return queryset.filter(**{f"{self.office_path}__in": offices})

    def check(self, user: AnyUser, obj: M, *, perm: Perm | None = None) -> bool:
        office_id = self.office_id_of(obj)
        return office_id in self._offices(user, perm)

    def get_or_404(
        self,
        user: AnyUser,
        pk: Any,
        *,
        perm: Perm | None = None,
        queryset: models.QuerySet[M] | None = None,
    ) -> M:
        """The object with this primary key if the user may see it (and hold ``perm``), else 404."""
        try:
            return self.filter(user, queryset, perm=perm).get(pk=pk)
        except (ObjectDoesNotExist, ValueError, TypeError, ValidationError) as exc:
            raise Http404 from exc

    def _offices(self, user: AnyUser, perm: Perm | None) -> set[uuid.UUID]:
        offices = offices_with(user, self.view)
        if perm is not None and perm != self.view:
            offices &= offices_with(user, perm)
        return offices


def offices_for(user: AnyUser, perms: Iterable[Perm]) -> set[uuid.UUID]:
    """Offices where the user holds every one of ``perms``."""
    result: set[uuid.UUID] | None = None
    for perm in perms:
        offices = offices_with(user, perm)
        result = offices if result is None else result & offices
    return result or set()
