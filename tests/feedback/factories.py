"""Feedback records for tests. ``FeedbackFactory(office=..., kind=...)`` makes a report of that
office (feedback by default) whose secret is ``SECRET``; the isolation test uses it for the
``feedback_id`` routes. ``FeedbackNoteFactory`` adds an internal note."""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.utils import timezone

from tests.factories import OfficeFactory
from wayhome.feedback import services
from wayhome.feedback.models import (
    Channel,
    Feedback,
    FeedbackNote,
    FeedbackStatus,
    Kind,
    MisconductType,
)

SECRET = "K7PQ-X3MZ-A8DD"


class FeedbackFactory(factory.django.DjangoModelFactory[Feedback]):
    class Meta:
        model = Feedback

    office = factory.SubFactory(OfficeFactory)
    reference = factory.LazyFunction(services.new_reference)
    secret_digest = factory.LazyFunction(lambda: services.secret_digest(SECRET))
    kind = Kind.FEEDBACK
    misconduct_type = factory.LazyAttribute(
        lambda o: MisconductType.SEXUAL_EXPLOITATION if o.kind == Kind.MISCONDUCT else ""
    )
    anonymous = True
    message = factory.Sequence(lambda n: f"The waiting room was cold, message {n}.")
    language = "en"
    status = FeedbackStatus.RECEIVED
    channel = Channel.PORTAL
    submitted_at = factory.LazyFunction(timezone.now)
    due_on = factory.LazyAttribute(
        lambda o: (
            timezone.localdate() + datetime.timedelta(days=3 if o.kind == Kind.MISCONDUCT else 14)
        )
    )


class FeedbackNoteFactory(factory.django.DjangoModelFactory[FeedbackNote]):
    class Meta:
        model = FeedbackNote

    class Params:
        office: Any = None

    feedback = factory.LazyAttribute(
        lambda o: FeedbackFactory.create(**({"office": o.office} if o.office else {}))
    )
    text = "Called the office to ask about the waiting room."
    independent = factory.LazyAttribute(lambda o: o.feedback.kind == Kind.MISCONDUCT)
