"""The e-mail that tells the ethics and conduct officers of an office that a report of
misconduct arrived in their independent queue. It carries the reference only: no content, no
name, not even the kind of misconduct."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _
from django_tasks import task

from wayhome.accounts.models import RoleGrant
from wayhome.accounts.permissions import ROLE_PERMISSIONS, Perm
from wayhome.feedback.models import Feedback, Kind


def ethics_addresses(office_id: uuid.UUID) -> list[str]:
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.MISCONDUCT_HANDLE in perms]
    return sorted(
        set(
            RoleGrant.objects.filter(
                office_id=office_id, role__in=roles, user__is_active=True, office__is_active=True
            ).values_list("user__email", flat=True)
        )
    )


@task()
def notify_misconduct(*, feedback_id: str) -> int:
    """One e-mail per ethics officer of the report's office; returns the number sent."""
    found = Feedback.objects.filter(pk=feedback_id, kind=Kind.MISCONDUCT).first()
    if found is None:
        return 0
    subject = _("A report in the independent queue: %(reference)s") % {"reference": found.reference}
    body = _(
        "A report of misconduct, %(reference)s, is waiting in the independent queue. "
        "Sign in to read it."
    ) % {"reference": found.reference}
    sent = 0
    for address in ethics_addresses(found.office_id):
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        sent += 1
    return sent
