"""Exports run in the task queue (a worker process in production; at once in tests)."""

from __future__ import annotations

from django_tasks import task

from wayhome.exports.engine import export_execute


@task()
def run_export(*, export_id: str) -> str:
    """Writes a queued export; returns its final status."""
    return str(export_execute(export_id).status)
