"""Survey records for tests, made through the services (validation and audit as in life).

``definition()`` is a small instrument ("mini": one indicator per dimension, economic, social and
psychosocial, two questions each, with a "don't know"); ``published()`` drafts and publishes a
version of it; ``answers()`` answers every question. ``ScheduleItemFactory`` and
``InterviewFactory`` serve the isolation test (``office=``, and ``case=`` the route's case).
"""

from __future__ import annotations

import copy
from typing import Any

import factory

from tests.factories import OfficeFactory
from tests.reintegration.factories import TODAY, _arrived_of, arrived
from wayhome.accounts.models import Office
from wayhome.cases.models import Case
from wayhome.surveys import services
from wayhome.surveys.models import (
    Consent,
    Instrument,
    InstrumentVersion,
    Interview,
    Mode,
    Outcome,
    ScheduleItem,
    VersionStatus,
)

__all__ = ["TODAY", "arrived"]

CODE = "mini"


def _t(text: str) -> dict[str, str]:
    return {"en": text, "fr": f"{text} (fr)", "es": f"{text} (es)", "ar": f"{text} (ar)"}


def _question(code: str, indicator: str, text: str) -> dict[str, Any]:
    return {
        "code": code,
        "indicator": indicator,
        "text": _t(text),
        "options": [
            {"value": "good", "label": _t("Good"), "score": "1"},
            {"value": "fair", "label": _t("Fair"), "score": "0.5"},
            {"value": "poor", "label": _t("Poor"), "score": "0"},
            {"value": "dont_know", "label": _t("Don't know"), "score": None},
        ],
    }


def definition(
    code: str = CODE, weights: tuple[str, str, str] = ("1", "1", "1"), defaults: bool = True
) -> dict[str, Any]:
    dims = ("economic", "social", "psychosocial")
    return {
        "code": code,
        "title": _t("Mini sustainability survey"),
        "description": _t("A small survey for tests"),
        "weights_are_defaults": defaults,
        "weights_note": _t("Equal weights"),
        "dimensions": [
            {"code": d, "label": _t(d.capitalize()), "weight": w}
            for d, w in zip(dims, weights, strict=True)
        ],
        "indicators": [
            {"code": f"{d}_ind", "dimension": d, "label": _t(f"{d} indicator"), "weight": "1"}
            for d in dims
        ],
        "questions": [
            _question(f"{d}_{n}", f"{d}_ind", f"How is your {d} situation ({n})?")
            for d in dims
            for n in (1, 2)
        ],
        "missing": {"min_share": "0.5"},
        "rounding": 2,
        "bands": [
            {"code": "low", "from": "0", "to": "0.33", "label": _t("Low")},
            {"code": "medium", "from": "0.33", "to": "0.66", "label": _t("Medium")},
            {"code": "high", "from": "0.66", "to": "1", "label": _t("High")},
        ],
    }


def answers(economic: str = "good", social: str = "fair", psychosocial: str = "poor") -> dict:
    return {
        f"{d}_{n}": value
        for d, value in (
            ("economic", economic),
            ("social", social),
            ("psychosocial", psychosocial),
        )
        for n in (1, 2)
    }


def published(code: str = CODE, **kwargs: Any) -> InstrumentVersion:
    """The published version of ``code`` (drafted and published if there is none)."""
    current = InstrumentVersion.objects.filter(
        instrument__code=code, status=VersionStatus.PUBLISHED
    ).first()
    if current is not None and not kwargs:
        return current
    draft = services.version_create(actor=None, code=code, definition=definition(code, **kwargs))
    return services.version_publish(actor=None, version=draft)


def schedule(
    office: Office, *, days: int = 0, name: str = "Baseline at arrival", **kwargs: Any
) -> ScheduleItem:
    return services.schedule_item_create(
        actor=None,
        office=office,
        programme=kwargs.pop("programme", "AVRR"),
        instrument=kwargs.pop("instrument", None) or published().instrument,
        name=name,
        days_after_arrival=days,
        **kwargs,
    )


def interview(
    case: Case, *, actor: Any = None, outcome: str = Outcome.COMPLETED, **kwargs: Any
) -> Interview:
    member = kwargs.pop("member", None) or case.members.order_by("created_at", "id").first()
    values: dict[str, Any] = {
        "mode": Mode.PHONE,
        "conducted_on": TODAY(),
        "consent": Consent.GIVEN if outcome == Outcome.COMPLETED else Consent.REFUSED,
        "answers": answers(),
    }
    if outcome == Outcome.UNREACHABLE:
        values["consent"] = ""
    values.update(kwargs)
    if "schedule_item" not in values and "instrument" not in values:
        values["instrument"] = published().instrument
    return services.interview_record(
        actor=actor, case=case, member=member, outcome=outcome, **values
    )


class ScheduleItemFactory(factory.django.DjangoModelFactory[ScheduleItem]):
    class Meta:
        model = ScheduleItem

    name = factory.Sequence(lambda n: f"Follow-up {n}")

    @classmethod
    def _create(cls, model_class: type[ScheduleItem], *args: Any, **kwargs: Any) -> Any:
        office = kwargs.pop("office", None) or OfficeFactory.create()
        return schedule(office, name=kwargs.pop("name"), days=kwargs.pop("days", 0), **kwargs)


class InterviewFactory(factory.django.DjangoModelFactory[Interview]):
    class Meta:
        model = Interview

    case = None  # the isolation test passes the route's case here

    @classmethod
    def _create(cls, model_class: type[Interview], *args: Any, **kwargs: Any) -> Any:
        case = _arrived_of(kwargs)
        return interview(case, **kwargs)


def instrument_of(code: str = CODE) -> Instrument:
    return published(code).instrument


def copy_definition(**kwargs: Any) -> dict[str, Any]:
    return copy.deepcopy(definition(**kwargs))
