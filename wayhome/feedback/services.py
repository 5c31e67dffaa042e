"""Writes on feedback: submission (portal, public API, staff), triage, internal notes, the
response the person reads, closing, and moving a report into or out of the independent queue.

Each write runs in one transaction with its audit event, locks the report, checks that the actor
handles it (``access.require``: a report moved to the other queue meanwhile is refused), checks
the version it was shown at (a stale edit is refused), and validates before saving anything.
Events about a misconduct report are kept out of the office's audit trail
(``access.audit_office``).
"""

from __future__ import annotations

import datetime
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office, User
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm
from wayhome.audit.services import audit_record
from wayhome.core.crypto import blind_index
from wayhome.feedback import access
from wayhome.feedback.models import (
    Channel,
    Feedback,
    FeedbackNote,
    FeedbackStatus,
    Kind,
    Priority,
)

#: Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L, U/V).
ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
SECRET_LENGTH = 12
SECRET_PURPOSE = "feedback.secret"  # noqa: S105 (a key purpose, not a secret)
#: A report of misconduct is urgent: answered within these days, whatever the setting says.
MISCONDUCT_DUE_DAYS = 3


def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_reference() -> str:
    """``FB-7KQM-2XDA`` (about 39 bits: unique, not a secret)."""
    return f"FB-{_random(4)}-{_random(4)}"


def new_secret() -> str:
    """Twelve characters shown in groups of four (``K7PQ-X3MZ-A8DD``, about 58 bits)."""
    raw = _random(SECRET_LENGTH)
    return "-".join(raw[i : i + 4] for i in range(0, SECRET_LENGTH, 4))


def _compact(value: str) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


def normalise_reference(value: str) -> str:
    """What a person typed, as stored: upper case, "FB-XXXX-XXXX" (spaces, dashes, a missing
    prefix forgiven); "" when it cannot be a reference."""
    compact = _compact(value)
    if compact.startswith("FB") and len(compact) == 10:
        compact = compact[2:]
    if len(compact) != 8:
        return ""
    return f"FB-{compact[:4]}-{compact[4:]}"


def secret_digest(secret: str) -> str:
    """The keyed digest of a secret as typed (case, spaces and dashes ignored)."""
    return blind_index(SECRET_PURPOSE, _compact(secret)[:64])


#: Compared against when no report has the reference, so that an unknown reference and a wrong
#: secret take the same work.
_NO_DIGEST = "0" * 32


def feedback_by_code(reference: str, secret: str) -> Feedback | None:
    """The report with this reference and secret, or None: an unknown reference and a wrong
    secret are indistinguishable (the digest is computed and compared either way)."""
    normalised = normalise_reference(reference)
    found = Feedback.objects.filter(reference=normalised).first() if normalised else None
    digest = secret_digest(secret)
    stored = found.secret_digest if found is not None else _NO_DIGEST
    matches = hmac.compare_digest(digest.encode(), stored.encode())
    return found if matches and found is not None else None


def due_date(kind: str, submitted: datetime.datetime) -> datetime.date:
    days = MISCONDUCT_DUE_DAYS if kind == Kind.MISCONDUCT else settings.FEEDBACK_DUE_DAYS
    return timezone.localdate(submitted) + datetime.timedelta(days=days)


def audit_feedback(actor: Any, action: str, feedback: Feedback, **details: Any) -> None:
    """An event about a report, in its office's trail, or in no office's trail while the report
    is in the independent queue (``access.audit_office``)."""
    audit_record(
        actor=actor,
        action=action,
        object_type=Feedback._meta.label_lower,
        object_id=feedback.pk,
        office_id=access.audit_office(feedback),
        details=details,
    )


_audit = audit_feedback


def _lock(actor: Any, feedback: Feedback) -> Feedback:
    locked = Feedback.objects.select_for_update().get(pk=feedback.pk)
    access.require(actor, locked)
    return locked


def _stale(feedback: Feedback, version: int | None) -> None:
    if version is not None and feedback.version != version:
        raise ValidationError(
            _("Someone else changed this report while you were editing. Reload and try again."),
            code="stale",
        )


def _not_closed(feedback: Feedback) -> None:
    if feedback.status == FeedbackStatus.CLOSED:
        raise ValidationError(_("This report is closed."), code="closed")


def _notify_ethics(feedback: Feedback) -> None:
    from wayhome.feedback.tasks import notify_misconduct

    feedback_id = str(feedback.pk)
    transaction.on_commit(lambda: notify_misconduct.enqueue(feedback_id=feedback_id))


# --- submission ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    feedback: Feedback
    secret: str  # shown once, never stored


def feedback_submit(
    *,
    actor: Any = None,
    office: Office,
    kind: str,
    message: str,
    misconduct_type: str = "",
    anonymous: bool = True,
    name: str = "",
    contact: str = "",
    language: str = "",
    channel: str = Channel.PORTAL,
) -> Submitted:
    """A report from the public (``actor`` None; portal or API) or recorded by staff of the
    office (``channel`` staff, who hold "handle feedback" there). The secret is returned once."""
    if channel == Channel.STAFF:
        if actor is None or not has_perm(actor, Perm.FEEDBACK_HANDLE, office.pk):
            raise PermissionDenied
    elif actor is not None:
        raise ValueError("the public channels have no actor")
    if not office.is_active:
        raise ValidationError({"office": _("Choose one of the offices listed.")})
    secret = new_secret()
    now = timezone.now()
    feedback = Feedback(
        office=office,
        kind=kind,
        misconduct_type=misconduct_type if kind == Kind.MISCONDUCT else "",
        anonymous=anonymous,
        name="" if anonymous else name.strip(),
        contact="" if anonymous else contact.strip(),
        message=message.strip(),
        language=language,
        channel=channel,
        submitted_at=now,
        due_on=due_date(kind, now),
        priority=Priority.URGENT if kind == Kind.MISCONDUCT else Priority.NORMAL,
        secret_digest=secret_digest(secret),
        recorded_by=actor if channel == Channel.STAFF else None,
        reference=new_reference(),
    )
    feedback.full_clean(exclude=["office", "reference", "secret_digest", "recorded_by"])
    for _attempt in range(5):
        try:
            with transaction.atomic():
                feedback.save(force_insert=True)
                _audit(actor, "feedback.submit", feedback, channel=channel, kind=kind)
                if feedback.is_misconduct:
                    _notify_ethics(feedback)
            break
        except IntegrityError:  # the reference was taken: draw another
            if Feedback.objects.filter(reference=feedback.reference).exists():
                feedback.reference = new_reference()
                continue
            raise
    else:  # pragma: no cover - five collisions of a 39-bit code
        raise RuntimeError("could not draw a free reference")
    return Submitted(feedback, secret)


# --- handling -----------------------------------------------------------------------------------

#: What triage may set the status to (the others come from responding and closing).
TRIAGE_STATUSES = (FeedbackStatus.TRIAGED, FeedbackStatus.IN_PROGRESS)


def _handler(feedback: Feedback, user: User | None) -> None:
    if user is None:
        return
    if not user.is_active or not access.may_handle(user, feedback):
        raise ValidationError(
            {"assigned_to": _("Choose someone who handles this queue in the report's office.")}
        )


def feedback_triage(
    *,
    actor: Any,
    feedback: Feedback,
    category: str,
    priority: str,
    due_on: datetime.date,
    assigned_to: User | None = None,
    status: str = FeedbackStatus.TRIAGED,
    version: int | None = None,
) -> Feedback:
    with transaction.atomic():
        locked = _lock(actor, feedback)
        _stale(locked, version)
        _not_closed(locked)
        if status not in TRIAGE_STATUSES:
            raise ValidationError({"status": _("Choose triaged or in progress.")})
        _handler(locked, assigned_to)
        locked.category, locked.priority, locked.due_on = category, priority, due_on
        locked.assigned_to = assigned_to
        if locked.status != FeedbackStatus.ANSWERED:
            locked.status = status
        locked.full_clean(exclude=["office", "reference", "secret_digest"])
        locked.version += 1
        locked.save()
        _audit(
            actor,
            "feedback.triage",
            locked,
            category=category,
            priority=priority,
            status=locked.status,
            assigned=assigned_to is not None,
        )
    return locked


def feedback_note_add(*, actor: Any, feedback: Feedback, text: str) -> FeedbackNote:
    with transaction.atomic():
        locked = _lock(actor, feedback)
        note = FeedbackNote(
            feedback=locked, author=actor, text=text.strip(), independent=locked.is_misconduct
        )
        note.full_clean(exclude=["feedback", "author"])
        note.save(force_insert=True)
        _audit(actor, "feedback.note", locked)
    return note


def feedback_respond(
    *, actor: Any, feedback: Feedback, response: str, version: int | None = None
) -> Feedback:
    """The answer the person reads with their code and secret; the report is answered."""
    with transaction.atomic():
        locked = _lock(actor, feedback)
        _stale(locked, version)
        _not_closed(locked)
        if not response.strip():
            raise ValidationError({"response": _("Write the answer the person will read.")})
        locked.response = response.strip()
        locked.status = FeedbackStatus.ANSWERED
        locked.responded_at = timezone.now()
        locked.responded_by = actor
        locked.full_clean(exclude=["office", "reference", "secret_digest"])
        locked.version += 1
        locked.save()
        _audit(actor, "feedback.respond", locked)
    return locked


def feedback_close(*, actor: Any, feedback: Feedback, version: int | None = None) -> Feedback:
    with transaction.atomic():
        locked = _lock(actor, feedback)
        _stale(locked, version)
        _not_closed(locked)
        locked.status = FeedbackStatus.CLOSED
        locked.closed_at = timezone.now()
        locked.version += 1
        locked.save()
        _audit(actor, "feedback.close", locked, answered=locked.responded_at is not None)
    return locked


def feedback_route(
    *,
    actor: Any,
    feedback: Feedback,
    kind: str,
    reason: str,
    misconduct_type: str = "",
    version: int | None = None,
) -> Feedback:
    """Moves a report the actor handles into the independent queue (staff of the office: ``kind``
    misconduct, with its type) or sends a report that is not misconduct back to the office (the
    ethics officer: ``kind`` feedback or complaint). The reason becomes an internal note the
    receiving side reads. The assignment is dropped (the other side assigns); a report moved
    into the independent queue becomes urgent, due within ``MISCONDUCT_DUE_DAYS``, and its
    ethics officers are told."""
    with transaction.atomic():
        locked = _lock(actor, feedback)
        _stale(locked, version)
        _not_closed(locked)
        into = kind == Kind.MISCONDUCT
        if into == locked.is_misconduct or kind not in Kind.values:
            raise ValidationError(
                {"kind": _("Choose a kind that moves the report to the other queue.")}
            )
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the report moves.")})
        previous = locked.kind
        locked.kind = kind
        locked.misconduct_type = misconduct_type if into else ""
        locked.assigned_to = None
        if into:
            locked.priority = Priority.URGENT
            locked.due_on = min(
                locked.due_on, timezone.localdate() + datetime.timedelta(days=MISCONDUCT_DUE_DAYS)
            )
        locked.full_clean(exclude=["office", "reference", "secret_digest"])
        note = FeedbackNote(feedback=locked, author=actor, text=reason.strip(), independent=False)
        note.full_clean(exclude=["feedback", "author"])
        locked.version += 1
        locked.save()
        note.save(force_insert=True)
        _audit(actor, "feedback.route", locked, to=kind, **{"from": previous})
        if into:
            _notify_ethics(locked)
    return locked
