"""Reads about users, offices and grants."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from wayhome.accounts.models import Office, RoleGrant
from wayhome.accounts.permissions import Role
from wayhome.accounts.policies import AnyUser, office_permissions

SESSION_OFFICE = "wh_office"


def office_list_for(user: AnyUser) -> QuerySet[Office]:
    """Offices where the user holds at least one role."""
    return Office.objects.filter(pk__in=office_permissions(user).keys()).order_by("code")


def working_office(request: HttpRequest) -> Office | None:
    """The office chosen in this session, if the user still holds a role there; else the first."""
    user = request.user
    if not user.is_authenticated:
        return None
    offices = list(office_list_for(user))
    chosen = request.session.get(SESSION_OFFICE)
    for office in offices:
        if str(office.pk) == chosen:
            return office
    return offices[0] if offices else None


def role_list_by_office(user: AnyUser) -> list[tuple[Office, list[str]]]:
    """The user's roles, grouped by office (active offices only), as translated labels."""
    if not user.is_authenticated:
        return []
    labels = dict(Role.choices)
    result: dict[Office, list[str]] = {}
    grants = (
        RoleGrant.objects.filter(user=user, office__is_active=True)
        .select_related("office")
        .order_by("office__code", "role")
    )
    for grant in grants:
        result.setdefault(grant.office, []).append(str(labels.get(grant.role, grant.role)))
    return list(result.items())
