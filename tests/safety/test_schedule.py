"""The register over time: a suspension dated ahead holds its cases on the day it starts, one
that ends releases them (``manage.py apply_restrictions``, run daily); post-arrival pauses."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.conftest import Personas
from tests.safety.factories import record, safety_officer, set_status
from wayhome.cases.models import Case
from wayhome.cases.services import transition_unmet
from wayhome.cases.workflow import Status

pytestmark = pytest.mark.django_db


def run_on(day: datetime.date, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
    out = StringIO()
    call_command("apply_restrictions", stdout=out)
    return out.getvalue()


def test_a_suspension_dated_ahead_holds_on_its_day_and_releases_when_it_ends(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    officer = safety_officer(personas.office_a)
    case = set_status(
        CaseFactory.create(office=personas.office_a, destination_country="AF"), Status.APPROVED
    )
    today = timezone.localdate()
    start, end = today + datetime.timedelta(days=3), today + datetime.timedelta(days=10)
    _version, result = record(officer, valid_from=start, valid_to=end)
    assert result.held == []

    assert "held 0," in run_on(start - datetime.timedelta(days=1), monkeypatch)
    case.refresh_from_db()
    assert case.status == Status.APPROVED

    assert "held 1," in run_on(start, monkeypatch)
    case.refresh_from_db()
    assert (case.status, case.held_from) == (Status.ON_HOLD, Status.APPROVED)
    assert "held 0, released 0" in run_on(start, monkeypatch)  # idempotent

    assert "released 1" in run_on(end + datetime.timedelta(days=1), monkeypatch)
    case.refresh_from_db()
    assert case.status == Status.APPROVED
    assert case.transitions.count() == 2


def test_a_suspension_that_pauses_post_arrival_services_blocks_reintegration(
    personas: Personas,
) -> None:
    officer = safety_officer(personas.office_a)
    paused = set_status(
        CaseFactory.create(
            office=personas.office_a, destination_country="IQ", destination_region="IQ-NI"
        ),
        Status.REINTEGRATION_PLANNING,
    )
    elsewhere = set_status(
        CaseFactory.create(
            office=personas.office_a, destination_country="IQ", destination_region="IQ-BA"
        ),
        Status.REINTEGRATION_PLANNING,
    )

    def unmet(case: Case) -> set[str]:
        found = transition_unmet(
            actor=personas.manager_a, case=case, target=Status.REINTEGRATION_ASSISTANCE
        )
        return {u.code for u in found}

    assert "restriction_post_arrival" not in unmet(paused)
    record(officer, country="IQ", region="IQ-NI", pauses_post_arrival=True)
    assert "restriction_post_arrival" in unmet(paused)
    assert "restriction_post_arrival" not in unmet(elsewhere)
    paused.refresh_from_db()
    assert paused.status == Status.REINTEGRATION_PLANNING  # after arrival: not put on hold
