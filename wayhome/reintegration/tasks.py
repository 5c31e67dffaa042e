"""Referrals a partner has not answered: after ``REFERRAL_ANSWER_DAYS`` the partner's users are
reminded; ``REFERRAL_ESCALATE_DAYS`` after the reminder, still without an answer, the referring
office's programme managers are told (``manage.py send_referral_reminders``, run hourly or
daily). The mails carry case references and partner names only, never a person's name."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from wayhome.accounts.models import RoleGrant
from wayhome.accounts.permissions import ROLE_PERMISSIONS, Perm
from wayhome.reintegration.models import Referral
from wayhome.reintegration.services import referral_reminders


def _managers(office_ids: set[Any]) -> dict[Any, set[str]]:
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.CASE_APPROVE in perms]
    result: dict[Any, set[str]] = defaultdict(set)
    for office_id, email in RoleGrant.objects.filter(
        role__in=roles, office_id__in=office_ids, user__is_active=True, office__is_active=True
    ).values_list("office_id", "user__email"):
        result[office_id].add(email)
    return result


def _line(referral: Referral) -> str:
    return (
        f"- {referral.case.reference} · {referral.partner.name} · {referral.get_category_display()}"
    )


def remind_and_escalate(now: datetime.datetime | None = None) -> tuple[int, int]:
    """Marks what is due and sends the mails; returns (reminded, escalated) referral counts."""
    remind, escalate = referral_reminders(now or timezone.now())
    ids = [r.pk for r in remind + escalate]
    loaded = {
        r.pk: r for r in Referral.objects.filter(pk__in=ids).select_related("case", "partner")
    }
    by_user: dict[str, list[Referral]] = defaultdict(list)
    for referral in (loaded[r.pk] for r in remind):
        for email in referral.partner.users.filter(is_active=True).values_list("email", flat=True):
            by_user[email].append(referral)
    for email, referrals in sorted(by_user.items()):
        send_mail(
            _("Referrals waiting for your answer"),
            "\n".join(
                [_("These referrals have not been answered yet:")] + [_line(r) for r in referrals]
            ),
            settings.DEFAULT_FROM_EMAIL,
            [email],
        )
    escalated = [loaded[r.pk] for r in escalate]
    managers = _managers({r.office_id for r in escalated})
    by_manager: dict[str, list[Referral]] = defaultdict(list)
    for referral in escalated:
        for email in managers.get(referral.office_id, set()):
            by_manager[email].append(referral)
    for email, referrals in sorted(by_manager.items()):
        send_mail(
            _("Referrals not answered by partners"),
            "\n".join(
                [_("Partners have not answered these referrals, even after a reminder:")]
                + [_line(r) for r in referrals]
            ),
            settings.DEFAULT_FROM_EMAIL,
            [email],
        )
    return len(remind), len(escalate)


@task()
def send_referral_reminders() -> list[int]:
    reminded, escalated = remind_and_escalate()
    return [reminded, escalated]
