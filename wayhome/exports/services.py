"""Writes of the export app: an export asked for (checked, audited, queued), an expired export
deleted (its blob removed, the row kept as "expired" until purged), and the purge of every
expired export (``manage.py purge_exports``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wayhome.audit.services import audit_record
from wayhome.core.blobs import blob_delete
from wayhome.exports.kinds import kind_of
from wayhome.exports.models import Export


class TooManyExports(Exception):
    """More exports asked for in the last hour than ``EXPORTS_PER_HOUR`` allows."""


def export_ttl() -> datetime.timedelta:
    return datetime.timedelta(hours=int(getattr(settings, "EXPORT_TTL_HOURS", 24)))


def exports_per_hour() -> int:
    return int(getattr(settings, "EXPORTS_PER_HOUR", 10))


def _enqueue(export: Export) -> None:
    from wayhome.exports.tasks import run_export

    export_id = str(export.pk)
    transaction.on_commit(lambda: run_export.enqueue(export_id=export_id))


def export_create(
    *, actor: Any, kind: str, format: str, filters: dict[str, Any] | None = None
) -> Export:
    """Queues an export of ``kind`` in ``format`` ("csv" or "xlsx") with ``filters`` (codes).

    ``PermissionDenied`` when the actor may export nothing of this kind; ``ValidationError`` for
    an unknown kind, format or filter; ``TooManyExports`` beyond ``EXPORTS_PER_HOUR``."""
    export_kind = kind_of(kind)
    if format not in Export.Format.values:
        raise ValidationError({"format": _("Choose CSV or XLSX.")})
    if not export_kind.offices(actor):
        raise PermissionDenied
    cleaned = export_kind.clean_filters(actor, dict(filters or {}))
    office_id = export_kind.office_of(actor, cleaned)
    if office_id is None:
        raise PermissionDenied
    now = timezone.now()
    export = Export(
        owner=actor,
        office_id=office_id,
        kind=export_kind.name,
        format=format,
        filters=cleaned,
        expires_at=now + export_ttl(),
    )
    export.full_clean()
    with transaction.atomic(durable=True):
        recent = Export.objects.filter(
            owner=actor, created_at__gte=now - datetime.timedelta(hours=1)
        ).count()
        if recent >= exports_per_hour():
            raise TooManyExports
        export.save(force_insert=True)
        audit_record(
            actor=actor,
            action="export.create",
            obj=export,
            details={"kind": export.kind, "format": export.format, "filters": sorted(cleaned)},
        )
        _enqueue(export)
    return export


def export_expire(export: Export) -> Export:
    """Deletes the file of an expired export and marks it expired (the row stays for the
    list until it is purged)."""
    if export.blob:
        blob_delete(export.blob)
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.EXPIRED, blob="", updated_at=timezone.now()
    )
    export.status = Export.Status.EXPIRED
    export.blob = ""
    return export


def exports_purge(*, now: datetime.datetime | None = None, keep_days: int = 30) -> int:
    """Deletes the files of every export past its expiry (marking it expired) and the rows of
    exports expired more than ``keep_days`` ago; returns the number of files deleted."""
    now = now or timezone.now()
    deleted = 0
    expired = Export.objects.filter(expires_at__lte=now).exclude(status=Export.Status.EXPIRED)
    for export in expired.only("id", "blob", "status").iterator(chunk_size=500):
        if export.blob:
            deleted += 1
        export_expire(export)
    Export.objects.filter(
        status=Export.Status.EXPIRED, expires_at__lte=now - datetime.timedelta(days=keep_days)
    ).delete()
    return deleted
