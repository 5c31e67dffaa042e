"""Surveys' services: versions and publication, scores stored with their version and never changed
by a new one (only an explicit, audited recomputation), consent, the schedule, access."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tests.conftest import Personas
from tests.factories import UserFactory
from tests.movements.factories import HandoverFactory, origin_office
from tests.surveys.factories import (
    answers,
    arrived,
    definition,
    interview,
    published,
    schedule,
)
from wayhome.accounts.models import Office, User
from wayhome.accounts.permissions import Role
from wayhome.audit.models import AuditEvent
from wayhome.movements.services import handover_acknowledge
from wayhome.reintegration import access
from wayhome.surveys import services
from wayhome.surveys.models import (
    Consent,
    InstrumentVersion,
    Interview,
    Mode,
    Outcome,
    ScoreReason,
    ScoreSet,
    VersionStatus,
)

pytestmark = pytest.mark.django_db


def officer(office: Office) -> User:
    return UserFactory.create(roles=[(office, Role.REINTEGRATION)])


def manager(office: Office) -> User:
    return UserFactory.create(roles=[(office, Role.MANAGER)])


# --- the Done-when: a stored score keeps its value ------------------------------------------------


def test_a_stored_score_keeps_its_value_after_a_new_version_is_published(
    personas: Personas,
) -> None:
    v1 = published()
    case = arrived(personas.office_a)
    first = interview(case, actor=manager(personas.office_a))
    stored = ScoreSet.objects.get(interview=first)
    # economic 1, social 0.5, psychosocial 0, equal weights: 0.5.
    assert stored.composite == Decimal("0.5")
    assert stored.values["composite"] == "0.50"
    assert stored.values["band"] == "medium"
    assert stored.instrument_version == v1
    before = dict(stored.values)

    # A new version weighs the economic dimension double: (2 + 0.5 + 0) / 4 = 0.625 -> 0.63.
    draft = services.version_create(
        actor=manager(personas.office_a),
        code="mini",
        definition=definition(weights=("2", "1", "1")),
    )
    v2 = services.version_publish(actor=manager(personas.office_a), version=draft)
    v1.refresh_from_db()
    assert (v1.status, v2.status) == (VersionStatus.SUPERSEDED, VersionStatus.PUBLISHED)

    stored.refresh_from_db()
    assert stored.current
    assert stored.composite == Decimal("0.5")
    assert stored.values == before
    assert stored.instrument_version_id == v1.pk
    assert ScoreSet.objects.filter(interview=first).count() == 1

    # Interviews recorded from now on are scored under version 2.
    later = interview(case, actor=manager(personas.office_a))
    assert later.instrument_version == v2
    assert ScoreSet.objects.get(interview=later).values["composite"] == "0.63"

    # Only an explicit recomputation changes the current scores; the old ones are kept.
    with pytest.raises(PermissionDenied):
        services.recompute(
            actor=officer(personas.office_a), interview=first, version=v2, reason="New weights"
        )
    actor = manager(personas.office_a)
    new = services.recompute(actor=actor, interview=first, version=v2, reason="New weights")
    stored.refresh_from_db()
    assert not stored.current
    assert stored.composite == Decimal("0.5")
    assert (new.current, new.reason, new.composite) == (
        True,
        ScoreReason.RECOMPUTED,
        Decimal("0.63"),
    )
    assert new.instrument_version == v2
    assert ScoreSet.objects.filter(interview=first).count() == 2
    event = AuditEvent.objects.get(action="surveys.recompute")
    assert event.actor_id == str(actor.pk) or str(event.actor_id) == str(actor.pk)
    assert event.details["old_version"] == 1
    assert event.details["new_version"] == 2
    text = str(event.details)
    assert "0.63" not in text
    assert "0.5" not in text
    assert "good" not in text


def test_recompute_refuses_a_draft_another_instrument_and_no_reason(personas: Personas) -> None:
    published()
    case = arrived(personas.office_a)
    done = interview(case)
    actor = manager(personas.office_a)
    draft = services.version_create(actor=actor, code="mini", definition=definition())
    with pytest.raises(ValidationError) as exc:
        services.recompute(actor=actor, interview=done, version=draft, reason="x")
    assert "version" in exc.value.message_dict
    other = published("other")
    with pytest.raises(ValidationError):
        services.recompute(actor=actor, interview=done, version=other, reason="x")
    with pytest.raises(ValidationError) as exc:
        services.recompute(actor=actor, interview=done, version=done.instrument_version, reason=" ")
    assert "reason" in exc.value.message_dict
    assert ScoreSet.objects.filter(interview=done).count() == 1


# --- versions -------------------------------------------------------------------------------------


def test_a_bad_definition_lists_every_problem_and_saves_nothing(personas: Personas) -> None:
    bad = definition()
    bad["dimensions"][0]["weight"] = 2  # a number, not a string
    bad["questions"][0]["options"][0]["score"] = "1.5"
    with pytest.raises(ValidationError) as exc:
        services.version_create(actor=manager(personas.office_a), code="mini", definition=bad)
    messages = exc.value.message_dict["definition"]
    assert len(messages) >= 2
    assert any("dimensions[1].weight" in m for m in messages)
    assert not InstrumentVersion.objects.filter(instrument__code="mini").exists()


def test_only_survey_managers_draft_and_publish(personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        services.version_create(actor=personas.caseworker_a, code="mini", definition=definition())
    draft = services.version_create(actor=None, code="mini", definition=definition())
    with pytest.raises(PermissionDenied):
        services.version_publish(actor=officer(personas.office_a), version=draft)
    me = UserFactory.create(roles=[(personas.office_b, Role.ME_OFFICER)])
    services.version_publish(actor=me, version=draft)
    with pytest.raises(ValidationError):
        services.version_publish(actor=me, version=draft)  # published already
    assert AuditEvent.objects.filter(action="surveys.version_publish").count() == 1


def test_the_definition_code_must_be_the_instrument(personas: Personas) -> None:
    with pytest.raises(ValidationError):
        services.version_create(actor=None, code="mini", definition=definition("other"))


# --- consent and outcome --------------------------------------------------------------------------


def test_a_refusal_stores_no_answers_and_no_scores(personas: Personas) -> None:
    published()
    case = arrived(personas.office_a)
    refused = interview(case, outcome=Outcome.REFUSED, consent=Consent.REFUSED, answers=answers())
    assert Interview.objects.get(pk=refused.pk).answers == {}
    assert not ScoreSet.objects.filter(interview=refused).exists()
    unreachable = interview(case, outcome=Outcome.UNREACHABLE, answers=answers())
    fresh = Interview.objects.get(pk=unreachable.pk)
    assert (fresh.answers, fresh.consent) == ({}, "")
    assert not ScoreSet.objects.filter(interview=unreachable).exists()


def test_a_completed_interview_needs_consent(personas: Personas) -> None:
    published()
    case = arrived(personas.office_a)
    with pytest.raises(ValidationError) as exc:
        interview(case, consent=Consent.REFUSED)
    assert "consent" in exc.value.message_dict
    with pytest.raises(ValidationError):
        interview(case, consent="")
    assert not Interview.objects.exists()


def test_a_wrong_answer_is_named_and_nothing_is_saved(personas: Personas) -> None:
    published()
    case = arrived(personas.office_a)
    with pytest.raises(ValidationError) as exc:
        interview(case, answers={**answers(), "economic_1": "excellent", "nope": "good"})
    assert {"q_economic_1", "q_nope"} <= set(exc.value.message_dict)
    assert not Interview.objects.exists()


def test_missing_answers_leave_a_dimension_missing(personas: Personas) -> None:
    published()
    case = arrived(personas.office_a)
    done = interview(
        case, answers={**answers(), "psychosocial_1": "dont_know", "psychosocial_2": ""}
    )
    values = ScoreSet.objects.get(interview=done).values
    assert values["dimensions"]["psychosocial"] is None
    # (1 + 0.5) / 2 over the two dimensions left (2/3 of the weight >= 0.5).
    assert values["composite"] == "0.75"
    assert values["answered"] == 4


def test_interviews_are_of_returnees_of_an_arrived_case(personas: Personas) -> None:
    published()
    case = arrived(personas.office_a)
    other = arrived(personas.office_a)
    with pytest.raises(ValidationError) as exc:
        interview(case, member=other.members.first())
    assert "member" in exc.value.message_dict
    member = case.members.get()
    member.travelling = False
    member.save()
    with pytest.raises(ValidationError):
        interview(case, member=member)


def test_a_future_date_is_refused(personas: Personas) -> None:
    published()
    case = arrived(personas.office_a)
    with pytest.raises(ValidationError) as exc:
        interview(case, conducted_on=timezone.localdate() + datetime.timedelta(days=3))
    assert "conducted_on" in exc.value.message_dict


def test_a_follow_up_is_completed_once(personas: Personas) -> None:
    case = arrived(personas.office_a)
    item = schedule(personas.office_a)
    interview(case, schedule_item=item)
    with pytest.raises(ValidationError) as exc:
        interview(case, schedule_item=item)
    assert "schedule_item" in exc.value.message_dict
    other_office = schedule(personas.office_b, name="Elsewhere")
    with pytest.raises(ValidationError):
        interview(case, schedule_item=other_office, outcome=Outcome.UNREACHABLE)


# --- access ---------------------------------------------------------------------------------------


def test_an_origin_office_that_took_the_case_over_records_interviews(personas: Personas) -> None:
    published()
    case = arrived(personas.office_a)
    origin = origin_office(name="Lagos Office")
    handover = HandoverFactory.create(case=case, to=origin)
    user = officer(origin)
    with pytest.raises(PermissionDenied):
        interview(case, actor=user)
    handover_acknowledge(actor=user, handover=handover)
    done = interview(case, actor=user)
    assert done.office_id == origin.pk
    event = AuditEvent.objects.get(action="surveys.interview_record")
    assert event.office_id == origin.pk
    # Another office sees nothing of it.
    stranger = officer(personas.office_b)
    with pytest.raises(Http404):
        access.case_get(stranger, case.pk)
    with pytest.raises(PermissionDenied):
        interview(case, actor=stranger)


def test_a_caseworker_does_not_conduct_surveys(personas: Personas) -> None:
    published()
    case = arrived(personas.office_a)
    with pytest.raises(PermissionDenied):
        interview(case, actor=personas.caseworker_a)


# --- schedule -------------------------------------------------------------------------------------


def test_schedule_items_are_managed_in_their_office(personas: Personas) -> None:
    instrument = published().instrument
    with pytest.raises(PermissionDenied):
        services.schedule_item_create(
            actor=manager(personas.office_b),
            office=personas.office_a,
            programme="AVRR",
            instrument=instrument,
            name="6 months",
            days_after_arrival=182,
        )
    item = services.schedule_item_create(
        actor=personas.manager_a,
        office=personas.office_a,
        programme="AVRR",
        instrument=instrument,
        name="6 months",
        days_after_arrival=182,
    )
    assert item.window_days == 30  # settings.SURVEY_WINDOW_DAYS
    with pytest.raises(ValidationError) as exc:
        services.schedule_item_update(
            actor=personas.manager_a, item=item, version=item.version + 5, name="Six months"
        )
    assert exc.value.code == "stale"
    services.schedule_item_deactivate(actor=personas.manager_a, item=item)
    item.refresh_from_db()
    assert not item.active
    assert AuditEvent.objects.filter(action="surveys.schedule_deactivate").count() == 1


def test_a_schedule_item_needs_a_published_survey(personas: Personas) -> None:
    draft = services.version_create(actor=None, code="mini", definition=definition())
    with pytest.raises(ValidationError) as exc:
        services.schedule_item_create(
            actor=None,
            office=personas.office_a,
            programme="AVRR",
            instrument=draft.instrument,
            name="Baseline",
            days_after_arrival=0,
        )
    assert "instrument" in exc.value.message_dict
    with pytest.raises(ValidationError):
        schedule(personas.office_a, days=-1)


def test_the_shipped_instruments_are_published_as_version_one() -> None:
    from wayhome.surveys import scoring

    for data in scoring.shipped():
        version = InstrumentVersion.objects.get(instrument__code=data["code"], number=1)
        assert version.status == VersionStatus.PUBLISHED
        assert version.definition == data


def test_modes_are_the_three_of_the_issue() -> None:
    assert set(Mode.values) == {"phone", "visit", "self_completed"}
