"""Daily reminders to operations officers: consulate requests without an answer, documents that
expire before travel, bookings to confirm, fitness checks that lapse before departure. The mails
carry case references only, never a name (``manage.py send_travel_reminders``, run daily)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _
from django_tasks import task

from wayhome.accounts.models import RoleGrant
from wayhome.accounts.permissions import ROLE_PERMISSIONS, Perm
from wayhome.movements.selectors import operations_queue


def _sections(office_id: Any) -> list[tuple[str, list[str]]]:
    queue = operations_queue({office_id})
    return [
        (
            _("Consulate requests without an answer:"),
            sorted({d.member.case.reference for d in queue.requests_unanswered}),
        ),
        (
            _("Travel documents that expire before travel:"),
            sorted({d.member.case.reference for d in queue.documents_expiring}),
        ),
        (
            _("Fitness-to-travel checks that lapse before departure:"),
            sorted({c.member.case.reference for c in queue.fitness_expiring}),
        ),
        (
            _("Bookings to confirm:"),
            sorted({b.case.reference for b in queue.bookings_to_confirm}),
        ),
    ]


@task()
def send_travel_reminders() -> int:
    """One e-mail per operations officer per office with something to do; returns the number."""
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.MOVEMENT_MANAGE in perms]
    recipients: dict[Any, set[str]] = defaultdict(set)
    for office_id, email in RoleGrant.objects.filter(
        role__in=roles, user__is_active=True, office__is_active=True
    ).values_list("office_id", "user__email"):
        recipients[office_id].add(email)
    sent = 0
    for office_id, addresses in recipients.items():
        lines: list[str] = []
        for title, references in _sections(office_id):
            if references:
                lines.append(title)
                lines += [f"- {reference}" for reference in references]
        if not lines:
            continue
        for address in sorted(addresses):
            send_mail(
                _("Travel: reminders for today"),
                "\n".join(lines),
                settings.DEFAULT_FROM_EMAIL,
                [address],
            )
            sent += 1
    return sent
