"""The import runs in the task queue (a worker process in production; at once in tests)."""

from __future__ import annotations

from django_tasks import task

from wayhome.imports.engine import import_run_execute


@task()
def run_import(*, run_id: str) -> str:
    """Runs a queued import; returns its final status."""
    from wayhome.imports.models import ImportRun

    import_run_execute(run_id)
    status = ImportRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
    return str(status or "")
