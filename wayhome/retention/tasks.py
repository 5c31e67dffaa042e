"""The retention run as a task: ``retention_nightly`` runs every active office's rules (enqueued
nightly by ``manage.py retention_run --enqueue``, or run in place by ``manage.py retention_run``);
``retention_office`` runs one office's, for a dry run asked for on the officer's page."""

from __future__ import annotations

import logging

from django_tasks import task

from wayhome.accounts.models import Office, User
from wayhome.retention.services import retention_run

logger = logging.getLogger(__name__)


def run_all(*, dry_run: bool) -> list[str]:
    """Runs the rules of every active office that has one; the ids of the runs. An office whose
    run fails (recorded as failed, logged) does not stop the others; the failure is raised at
    the end, so that the timer or the task shows it."""
    from wayhome.retention.models import RetentionRule

    offices = Office.objects.filter(
        is_active=True,
        pk__in=RetentionRule.objects.filter(active=True).values("office_id"),
    ).order_by("code")
    runs: list[str] = []
    failed: list[str] = []
    for office in offices:
        try:
            runs.append(str(retention_run(office=office, dry_run=dry_run).pk))
        except Exception:
            logger.exception("retention run of office %s failed", office.code)
            failed.append(office.code)
    if failed:
        raise RuntimeError(f"retention runs failed for offices: {', '.join(failed)}")
    return runs


@task()
def retention_nightly(*, dry_run: bool = False) -> int:
    """Every office's rules; returns the number of runs."""
    return len(run_all(dry_run=dry_run))


@task()
def retention_office(*, office_id: str, actor_id: str, dry_run: bool = True) -> str:
    """One office's rules, asked for by a data protection officer; returns the run's id."""
    office = Office.objects.get(pk=office_id)
    actor = User.objects.get(pk=actor_id)
    return str(retention_run(actor=actor, office=office, dry_run=dry_run).pk)
