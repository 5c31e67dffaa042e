"""E-mails to caseworkers when a return restriction holds or releases their cases.

The messages carry case references and the place only, never a name. Each case goes to its
assigned caseworker; a case assigned to nobody goes to the office's users who may change cases.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _
from django_tasks import task

from wayhome.accounts.models import RoleGrant
from wayhome.accounts.permissions import ROLE_PERMISSIONS, Perm
from wayhome.cases.models import Case
from wayhome.safety.models import Restriction


def _recipients(case_ids: list[str]) -> dict[str, set[str]]:
    """E-mail address -> references of the cases it is told about."""
    by_address: dict[str, set[str]] = defaultdict(set)
    unassigned: dict[Any, set[str]] = defaultdict(set)
    cases = Case.objects.filter(pk__in=case_ids).values_list(
        "reference", "office_id", "assigned_to__email", "assigned_to__is_active"
    )
    for reference, office_id, email, active in cases:
        if email and active:
            by_address[email].add(reference)
        else:
            unassigned[office_id].add(reference)
    if unassigned:
        roles = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.CASE_CHANGE in perms]
        grants = RoleGrant.objects.filter(
            office_id__in=list(unassigned), role__in=roles, user__is_active=True
        ).values_list("office_id", "user__email")
        for office_id, email in grants:
            by_address[email] |= unassigned[office_id]
    return by_address


@task()
def send_hold_notices(*, restriction_id: str, held: list[str], released: list[str]) -> int:
    """Sends one e-mail per caseworker; returns the number sent."""
    version = Restriction.objects.filter(pk=restriction_id).first()
    if version is None:
        return 0
    place = version.region or version.country
    held_to = _recipients(held)
    released_to = _recipients(released)
    sent = 0
    for address in sorted(set(held_to) | set(released_to)):
        lines = []
        if held_to.get(address):
            lines.append(
                _("Put on hold because returns to %(place)s are suspended:") % {"place": place}
            )
            lines += [f"- {reference}" for reference in sorted(held_to[address])]
            lines.append(_("Reason: %(reason)s") % {"reason": version.reason})
        if released_to.get(address):
            lines.append(
                _("Released: the suspension of returns to %(place)s was lifted:") % {"place": place}
            )
            lines += [f"- {reference}" for reference in sorted(released_to[address])]
        subject = _("Return restriction: cases on hold or released (%(place)s)") % {"place": place}
        send_mail(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [address])
        sent += 1
    return sent
