"""Demo feedback for ``seed_demo``: a few items of feedback and complaints about the Berlin host
office (``de-ber``), one of them answered, and one report of misconduct in its independent queue.
Made through the services (validation and audit as in life); idempotent: nothing is added once
the office has demo feedback. The secrets are not kept: DEMO DATA ONLY."""

from __future__ import annotations

from typing import Any

from wayhome.accounts.models import Office, User
from wayhome.feedback import services
from wayhome.feedback.models import Channel, Feedback, FeedbackCategory, Kind, MisconductType

DEMO_OFFICE = "de-ber"

_ITEMS: list[dict[str, Any]] = [
    {
        "kind": Kind.FEEDBACK,
        "message": "The counsellor explained everything clearly and patiently. Thank you.",
        "language": "en",
    },
    {
        "kind": Kind.COMPLAINT,
        "message": "J'attends depuis trois semaines une réponse sur la date du vol.",
        "language": "fr",
        "anonymous": False,
        "name": "Demo Person",
        "contact": "+49 30 0000000 (demo)",
    },
    {
        "kind": Kind.COMPLAINT,
        "message": "لم أحصل على معلومات كافية عن المساعدة بعد العودة.",
        "language": "ar",
    },
    {
        "kind": Kind.MISCONDUCT,
        "misconduct_type": MisconductType.FRAUD,
        "message": "Someone asked me for money to move my file forward. (demo)",
        "language": "en",
    },
]


def seed_feedback(ctx: Any) -> int:
    office = Office.objects.filter(code=DEMO_OFFICE).first()
    if office is None or Feedback.objects.filter(office=office).exists():
        return 0
    made = 0
    submitted = []
    for item in _ITEMS:
        done = services.feedback_submit(office=office, channel=Channel.PORTAL, **item)
        submitted.append(done.feedback)
        made += 1
    handler = (
        User.objects.filter(grants__office=office, grants__role="caseworker")
        .order_by("email")
        .first()
    )
    if handler is not None:
        answered = submitted[1]
        answered = services.feedback_triage(
            actor=handler,
            feedback=answered,
            category=FeedbackCategory.TRAVEL,
            priority="high",
            due_on=answered.due_on,
            assigned_to=handler,
        )
        services.feedback_respond(
            actor=handler,
            feedback=answered,
            response="Votre vol est en cours de réservation; nous vous appellerons cette semaine.",
        )
    return made
