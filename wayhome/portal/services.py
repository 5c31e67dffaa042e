"""Writes of the portal: an inquiry received from the public, its handling by the office, and
the country pages staff maintain. Each runs in one transaction with its audit event and
validates everything before saving anything (``ValidationError``; a stale ``version`` is refused
with code ``stale``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm
from wayhome.audit.services import audit_record
from wayhome.portal.models import Channel, CountryPage, Inquiry, InquiryStatus

INQUIRY_FIELDS = (
    "name",
    "phone",
    "email",
    "message",
    "preferred_language",
    "country_of_origin",
    "best_time",
    "callback_consent",
)
PAGE_FIELDS = ("country", "language", "title", "assistance", "practical_information")


def _stale(current: Any, version: int | None, what: Any) -> None:
    if version is not None and current.version != version:
        raise ValidationError(
            _("Someone else changed this %(what)s while you were editing. Reload and try again.")
            % {"what": what},
            code="stale",
        )


def _single(value: Any) -> str:
    return " ".join(str(value or "").split())


# --- inquiries ----------------------------------------------------------------------------------


def inquiry_submit(*, office: Office, channel: str = Channel.PORTAL, **fields: Any) -> Inquiry:
    """An inquiry from the public to ``office`` (an active office). No actor: the person is not
    signed in; the audit event records only that an inquiry arrived, never what it says."""
    unknown = set(fields) - set(INQUIRY_FIELDS)
    if unknown:
        raise TypeError(f"unknown inquiry fields: {sorted(unknown)}")
    if not office.is_active:
        raise ValidationError({"office": _("Choose one of the offices listed.")})
    for name in ("name", "phone", "email"):
        if name in fields:
            fields[name] = _single(fields[name])
    if "message" in fields:
        fields["message"] = str(fields["message"] or "").strip()
    with transaction.atomic():
        inquiry = Inquiry(office=office, channel=channel, status=InquiryStatus.NEW, **fields)
        inquiry.full_clean()
        inquiry.save(force_insert=True)
        audit_record(
            actor=None,
            action="portal.inquiry_receive",
            obj=inquiry,
            details={"channel": channel},
        )
    return inquiry


def inquiry_update(
    *,
    actor: Any,
    inquiry: Inquiry,
    version: int | None = None,
    status: str | None = None,
    outcome: str | None = None,
    staff_notes: str | None = None,
) -> Inquiry:
    """Records the office's handling of an inquiry: the person was contacted, how it ended,
    notes, closing it (an outcome is needed) or reopening it. Needs "handle feedback and
    inquiries" in the inquiry's office."""
    if actor is not None and not has_perm(actor, Perm.FEEDBACK_HANDLE, inquiry.office_id):
        raise PermissionDenied
    with transaction.atomic():
        current = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
        _stale(current, version, _("inquiry"))
        changed: list[str] = []
        now = timezone.now()
        if outcome is not None and outcome != current.outcome:
            current.outcome = outcome
            changed.append("outcome")
        if staff_notes is not None and staff_notes.strip() != current.staff_notes:
            current.staff_notes = staff_notes.strip()
            changed.append("staff_notes")
        if status is not None and status != current.status:
            if status == InquiryStatus.NEW:
                raise ValidationError(
                    {"status": _("An inquiry that was handled cannot become new again.")}
                )
            if status == InquiryStatus.CONTACTED and current.contacted_at is None:
                current.contacted_at = now
            if status == InquiryStatus.CLOSED:
                current.closed_at = now
            else:
                current.closed_at = None
            current.status = status
            changed.append("status")
        if not changed:
            return current
        current.handled_by = actor if getattr(actor, "pk", None) else current.handled_by
        current.full_clean()
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action="portal.inquiry_update",
            obj=current,
            details={"fields": sorted(changed), "status": current.status},
        )
    return current


# --- country pages ------------------------------------------------------------------------------


def _check_page(page: CountryPage) -> None:
    page.full_clean(validate_unique=False, validate_constraints=False)
    clash = CountryPage.objects.filter(
        office_id=page.office_id, country=page.country, language=page.language
    ).exclude(pk=page.pk)
    if clash.exists():
        raise ValidationError(
            {"language": _("This office already has a page for this country in this language.")}
        )


def _may_manage(actor: Any, office_id: Any) -> None:
    if actor is not None and not has_perm(actor, Perm.PORTAL_MANAGE, office_id):
        raise PermissionDenied


def country_page_create(
    *,
    actor: Any,
    office: Office,
    published: bool = False,
    today: datetime.date | None = None,
    **fields: Any,
) -> CountryPage:
    """A page for a country of origin, written today by ``actor`` (so reviewed today)."""
    unknown = set(fields) - set(PAGE_FIELDS)
    if unknown:
        raise TypeError(f"unknown country page fields: {sorted(unknown)}")
    _may_manage(actor, office.pk)
    if "title" in fields:
        fields["title"] = _single(fields["title"])
    with transaction.atomic():
        page = CountryPage(
            office=office,
            published=published,
            last_reviewed=today or timezone.localdate(),
            reviewed_by=actor if getattr(actor, "pk", None) else None,
            **fields,
        )
        _check_page(page)
        page.save(force_insert=True)
        audit_record(
            actor=actor,
            action="portal.page_create",
            obj=page,
            details={"country": page.country, "language": page.language},
        )
    return page


def country_page_update(
    *, actor: Any, page: CountryPage, version: int | None = None, **fields: Any
) -> CountryPage:
    """Changes a page's text (or its country or language). Publishing and reviewing are their
    own acts (``country_page_publish``, ``country_page_review``)."""
    unknown = set(fields) - set(PAGE_FIELDS)
    if unknown:
        raise TypeError(f"unknown country page fields: {sorted(unknown)}")
    _may_manage(actor, page.office_id)
    if "title" in fields:
        fields["title"] = _single(fields["title"])
    with transaction.atomic():
        current = CountryPage.objects.select_for_update().get(pk=page.pk)
        _stale(current, version, _("page"))
        changed = sorted(name for name, value in fields.items() if getattr(current, name) != value)
        if not changed:
            return current
        for name in changed:
            setattr(current, name, fields[name])
        _check_page(current)
        current.version += 1
        current.save()
        audit_record(
            actor=actor, action="portal.page_change", obj=current, details={"fields": changed}
        )
    return current


def country_page_publish(
    *, actor: Any, page: CountryPage, published: bool, version: int | None = None
) -> CountryPage:
    _may_manage(actor, page.office_id)
    with transaction.atomic():
        current = CountryPage.objects.select_for_update().get(pk=page.pk)
        _stale(current, version, _("page"))
        if current.published == published:
            return current
        current.published = published
        current.version += 1
        current.save(update_fields=["published", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="portal.page_publish" if published else "portal.page_unpublish",
            obj=current,
        )
    return current


def country_page_review(
    *,
    actor: Any,
    page: CountryPage,
    version: int | None = None,
    today: datetime.date | None = None,
) -> CountryPage:
    """``actor`` checked the whole page: it is marked reviewed today."""
    _may_manage(actor, page.office_id)
    with transaction.atomic():
        current = CountryPage.objects.select_for_update().get(pk=page.pk)
        _stale(current, version, _("page"))
        current.last_reviewed = today or timezone.localdate()
        current.reviewed_by = actor if getattr(actor, "pk", None) else None
        current.version += 1
        current.save(update_fields=["last_reviewed", "reviewed_by", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="portal.page_review",
            obj=current,
            details={"reviewed_on": current.last_reviewed.isoformat()},
        )
    return current
