"""Writes of the import app: sources and their mapping, uploads (a run queued), and a dry run
turned into a real one. The rows themselves are written by ``engine.import_run_execute`` in the
task queue.

An upload is refused at once, with nothing saved, when the file is not an XLSX or CSV file (by
content), not UTF-8, empty, without a header row, too large or too long, or lacks a column the
source's mapping names.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm
from wayhome.audit.services import audit_record
from wayhome.core.text import has_control_characters
from wayhome.imports import mapping as fields
from wayhome.imports.models import ImportRun, ImportSource
from wayhome.imports.reader import FileRefused, Table, read_table


def _allowed(actor: Any, office_id: Any, *, cases: bool = False) -> None:
    perms = [Perm.IMPORT_RUN, Perm.PERSON_CREATE] + ([Perm.CASE_CREATE] if cases else [])
    if not all(has_perm(actor, perm, office_id) for perm in perms):
        raise PermissionDenied


def _clean_mapping(mapping: dict[str, str]) -> dict[str, str]:
    cleaned = {str(header): str(target) for header, target in mapping.items() if target}
    problems = fields.mapping_problems(cleaned)
    if problems:
        raise ValidationError({"mapping": problems})
    return cleaned


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the source a name.")})
    if has_control_characters(name) or len(name) > 120:
        raise ValidationError({"name": _("Give a name of at most 120 characters.")})
    return name


def import_source_create(
    *, actor: Any, office: Office, name: str, mapping: dict[str, str]
) -> ImportSource:
    """A source of files for ``office`` with its column mapping (header -> field)."""
    _allowed(actor, office.pk)
    source = ImportSource(
        office=office,
        name=_clean_name(name),
        mapping=_clean_mapping(mapping),
        created_by=actor,
    )
    try:
        with transaction.atomic(durable=True):
            source.save(force_insert=True)
            audit_record(
                actor=actor,
                action="import.source_create",
                obj=source,
                details={"fields": sorted(source.mapping.values())},
            )
    except IntegrityError:
        raise ValidationError(
            {"name": _("The office already has a source of this name.")}
        ) from None
    return source


def import_source_update(
    *,
    actor: Any,
    source: ImportSource,
    name: str,
    mapping: dict[str, str],
    version: int | None = None,
) -> ImportSource:
    """Renames a source and replaces its mapping; a stale ``version`` is refused."""
    cleaned_name = _clean_name(name)
    cleaned = _clean_mapping(mapping)
    try:
        with transaction.atomic(durable=True):
            current = ImportSource.objects.select_for_update().get(pk=source.pk)
            _allowed(actor, current.office_id)
            if version is not None and current.version != version:
                raise ValidationError(
                    _("Someone else changed this source meanwhile. Reload the page."),
                    code="stale",
                )
            current.name = cleaned_name
            current.mapping = cleaned
            current.version += 1
            current.save()
            audit_record(
                actor=actor,
                action="import.source_change",
                obj=current,
                details={"fields": sorted(cleaned.values())},
            )
    except IntegrityError:
        raise ValidationError(
            {"name": _("The office already has a source of this name.")}
        ) from None
    return current


def check_file(source: ImportSource, content: bytes) -> Table:
    """The file's table if it can be imported with ``source``'s mapping, else ``FileRefused``."""
    table = read_table(content)
    missing = [header for header in source.mapping if header not in table.headers]
    if missing:
        raise FileRefused(
            _("The file lacks the columns the source's mapping names: %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
    if not table.rows:
        raise FileRefused(_("The file has a header row but no data rows."))
    return table


def _enqueue(run: ImportRun) -> None:
    from wayhome.imports.tasks import run_import

    run_id = str(run.pk)
    transaction.on_commit(lambda: run_import.enqueue(run_id=run_id))


def import_run_create(
    *,
    actor: Any,
    source: ImportSource,
    content: bytes,
    file_name: str = "",
    dry_run: bool = True,
) -> ImportRun:
    """Checks the file and queues its run; ``FileRefused`` (nothing saved) when it cannot be
    imported. The file is stored encrypted for the run."""
    _allowed(actor, source.office_id, cases=fields.opens_cases(source.mapping))
    problems = fields.mapping_problems(source.mapping)
    if problems:
        raise FileRefused(" ".join(problems))
    table = check_file(source, content)
    run = ImportRun(
        office_id=source.office_id,
        source=source,
        file_name=" ".join(file_name.split())[:255]
        if not has_control_characters(file_name)
        else "",
        file_kind=table.kind,
        file_digest=hashlib.sha256(content).hexdigest(),
        content=content,
        dry_run=dry_run,
        rows_total=len(table.rows),
        started_by=actor,
    )
    with transaction.atomic(durable=True):
        run.save(force_insert=True)
        audit_record(
            actor=actor,
            action="import.upload",
            obj=run,
            details={"dry_run": dry_run, "rows": len(table.rows), "kind": table.kind},
        )
        _enqueue(run)
    return run


def import_run_apply(*, actor: Any, run: ImportRun) -> ImportRun:
    """A real run of the file of a finished dry run (the same source, the current mapping)."""
    if not run.dry_run or run.status != ImportRun.Status.DONE:
        raise ValidationError(_("Only a finished dry run can be imported."), code="not_dry_run")
    stored = ImportRun.objects.only("content").get(pk=run.pk).content
    if stored is None:
        raise ValidationError(_("The file is no longer stored: upload it again."), code="gone")
    return import_run_create(
        actor=actor,
        source=run.source,
        content=bytes(stored),
        file_name=run.file_name,
        dry_run=False,
    )
