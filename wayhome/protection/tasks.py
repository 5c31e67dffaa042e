"""The e-mail that tells data protection officers an access alert is waiting. It carries no
name and no figure: only that an alert was raised and where to read it."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from wayhome.accounts.models import RoleGrant
from wayhome.accounts.permissions import ROLE_PERMISSIONS, Perm
from wayhome.protection.models import AccessAlert


def officer_addresses(office_ids: list[object]) -> list[str]:
    """The active data protection officers of these offices."""
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.DATA_PROTECTION in perms]
    return sorted(
        set(
            RoleGrant.objects.filter(
                office_id__in=office_ids,
                role__in=roles,
                user__is_active=True,
                office__is_active=True,
            ).values_list("user__email", flat=True)
        )
    )


@task()
def notify_access_alert(*, alert_id: str) -> int:
    """One e-mail per data protection officer of the alert's offices; returns the number sent."""
    alert = AccessAlert.objects.filter(pk=alert_id).first()
    if alert is None:
        return 0
    path = reverse("protection:alert-detail", kwargs={"access_alert_id": alert.pk})
    subject = _("Wayhome: an access alert is waiting for review")
    body = _(
        "An unusual pattern of access to personal data was detected. Sign in to review the "
        "alert: %(path)s"
    ) % {"path": path}
    sent = 0
    for address in officer_addresses(list(alert.offices.values_list("pk", flat=True))):
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        sent += 1
    return sent
