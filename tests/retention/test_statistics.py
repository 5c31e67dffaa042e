"""Every published figure is the same after a retention run, after recomputing the stale facts
and after ``facts_rebuild()``: the statistics facts of anonymised cases are frozen, and the rows
the other figures count (plans, budget lines, deliveries, surveys, feedback...) are kept with
their codes, dates and amounts. Without the freeze the age groups would move (the dates of
birth are erased): the last test shows that this comparison sees it."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest
from django.utils import timezone
from django.utils.functional import Promise

from tests.factories import OfficeFactory
from tests.retention.factories import RetentionRuleFactory
from wayhome.accounts.models import Office
from wayhome.cases.models import Case
from wayhome.people.models import Person
from wayhome.reporting import facts as facts_module
from wayhome.reporting import figures
from wayhome.reporting.demo import seed_statistics
from wayhome.reporting.dimensions import DIMENSIONS
from wayhome.reporting.facts import facts_rebuild, facts_sync, mark_stale
from wayhome.reporting.indicators import indicators_by_objective, indicators_compute
from wayhome.reporting.models import ReturnFact
from wayhome.reporting.monthly import month_start, monthly_report_content
from wayhome.reporting.tables import tabulate
from wayhome.retention.models import AnonymisedCase
from wayhome.retention.services import retention_run

pytestmark = pytest.mark.django_db


def _plain(value: Any) -> Any:
    """Figures as plain data: lazy labels as text, dataclasses as dicts."""
    if isinstance(value, Promise):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {repr(_plain(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, frozenset | set) else items
    if callable(value):
        return getattr(value, "__qualname__", repr(type(value)))
    return value


def published(offices: list[Office]) -> Any:
    """The figures of the dashboard, the outcomes page, the indicators and the monthly reports."""
    facts_sync()
    facts = ReturnFact.objects.filter(office__in=offices)
    result: dict[str, Any] = {}
    for name in DIMENSIONS:
        for measure in ("people", "cases"):
            result[f"{name}/{measure}"] = tabulate(facts, name, measure=measure)
    result["sex-by-age"] = tabulate(facts, "sex", "age_group")
    result["time_in_status"] = figures.time_in_status(facts)
    result["median"] = figures.median_days_to_departure(facts)
    result["plans"] = figures.plans_by_status(facts)
    result["assistance"] = [figures.assistance_by(facts, by) for by in figures.ASSISTANCE]
    result["budget"] = figures.budget(facts)
    result["scores"] = figures.scores_by_follow_up(facts)
    result["feedback"] = figures.feedback_table({o.pk for o in offices})
    result["indicators"] = indicators_compute(facts)
    result["objectives"] = indicators_by_objective(indicators_compute(facts))
    today = timezone.localdate()
    for back in range(0, 25, 3):
        month = month_start(today - datetime.timedelta(days=30 * back))
        for office in offices:
            result[f"monthly/{office.code}/{month}"] = monthly_report_content(
                office, month, today=today
            )
    return _plain(result)


@pytest.fixture
def history() -> list[Office]:
    offices = [
        OfficeFactory.create(code="de-ber", name="Berlin", country="DE"),
        OfficeFactory.create(code="gr-ath", name="Athens", country="GR"),
    ]
    assert seed_statistics(None) > 0
    return offices


def _anonymise_berlin(offices: list[Office]) -> int:
    berlin = offices[0]
    RetentionRuleFactory.create(office=berlin, amount=60, unit="days")
    run = retention_run(office=berlin, dry_run=False)
    assert run.status == "succeeded"
    return run.cases


def test_published_figures_are_unchanged_by_the_run_and_by_recomputing(
    history: list[Office],
) -> None:
    before = published(history)
    anonymised = _anonymise_berlin(history)
    assert anonymised > 100  # most of Berlin's history was closed more than 60 days ago
    # The dates of birth of those cases are gone...
    ids = AnonymisedCase.objects.values("case_id")
    assert not Person.objects.filter(
        case_memberships__case__in=ids, date_of_birth__isnull=False
    ).exists()
    # ...and every figure is the same: right after the run,
    assert published(history) == before
    # after every case is recomputed as if changed,
    mark_stale(Case.objects.values_list("pk", flat=True))
    assert published(history) == before
    # and after a full rebuild.
    facts_rebuild()
    assert published(history) == before


def test_without_the_frozen_facts_a_rebuild_would_move_the_age_groups(
    history: list[Office], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The comparison above can fail: the same run, then a rebuild that ignores the frozen
    facts, changes the published figures."""
    before = published(history)
    _anonymise_berlin(history)
    monkeypatch.setattr(facts_module, "FROZEN", [])
    facts_rebuild()
    assert published(history) != before
