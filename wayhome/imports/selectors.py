"""Reads of the import app, from what the user may see: sources and runs of the offices where
they may import (``Perm.IMPORT_RUN``); anything else answers 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import OfficePolicy, offices_with
from wayhome.imports.models import ImportRun, ImportSource

source_policy: OfficePolicy[ImportSource] = OfficePolicy(ImportSource, view=Perm.IMPORT_RUN)
run_policy: OfficePolicy[ImportRun] = OfficePolicy(ImportRun, view=Perm.IMPORT_RUN)

#: Loaded for lists and progress: never the file.
_RUN_LIST_FIELDS = (
    "id",
    "created_at",
    "office",
    "source",
    "source__name",
    "file_name",
    "file_kind",
    "dry_run",
    "status",
    "rows_total",
    "rows_done",
    "created_count",
    "unchanged_count",
    "error_count",
    "held_count",
    "cases_created",
    "started_by",
    "started_by__email",
    "started_by__full_name",
    "finished_at",
    "message",
)


def import_offices(user: Any) -> QuerySet[Office]:
    return Office.objects.filter(
        pk__in=offices_with(user, Perm.IMPORT_RUN), is_active=True
    ).order_by("name")


def import_source_list(user: Any) -> QuerySet[ImportSource]:
    return source_policy.filter(user).select_related("office").order_by("office__name", "name")


def import_source_get(user: Any, pk: Any) -> ImportSource:
    return source_policy.get_or_404(
        user, pk, queryset=ImportSource.objects.select_related("office")
    )


def import_run_list(user: Any) -> QuerySet[ImportRun]:
    return (
        run_policy.filter(user)
        .select_related("source", "started_by")
        .only(*_RUN_LIST_FIELDS)
        .order_by("-created_at", "-id")
    )


def import_run_get(user: Any, pk: Any, *, with_report: bool = False) -> ImportRun:
    """The run (with its report when asked; never the file)."""
    fields = (*_RUN_LIST_FIELDS, "report", "file_digest", "started_at", "version")
    queryset = ImportRun.objects.select_related("source", "started_by").only(
        *(fields if with_report else (*_RUN_LIST_FIELDS, "file_digest", "started_at", "version"))
    )
    return run_policy.get_or_404(user, pk, queryset=queryset)
