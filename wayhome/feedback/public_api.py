"""The public feedback operations (no token; rate-limited per client address, the status check
also per reference): send a report (201 with its reference and secret, the secret shown once),
and read a report's status and answer with both. Over the limit: 429 in the API's error shape.
An unknown reference and a wrong secret give the same 404."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Status

from wayhome.accounts.models import Office
from wayhome.api.errors import error_response, invalid_field, run_service
from wayhome.api.schemas import Error
from wayhome.core.ratelimit import over
from wayhome.feedback import services
from wayhome.feedback.models import Channel
from wayhome.feedback.public_views import status_limit, status_of, submit_limit
from wayhome.feedback.schemas import (
    PublicFeedbackIn,
    PublicFeedbackOut,
    PublicStatusIn,
    PublicStatusOut,
)

router = Router(tags=["feedback"])

PUBLIC_ERRORS: dict[int, Any] = {404: Error, 422: Error, 429: Error}
NO_MATCH = _("No report matches this code and secret.")


@router.post(
    "/feedback",
    auth=None,
    response={201: PublicFeedbackOut, **PUBLIC_ERRORS},
    summary="Send feedback, a complaint or a report of misconduct (no sign-in)",
)
def submit_feedback(request: HttpRequest, payload: PublicFeedbackIn) -> Any:
    """Anonymous unless ``anonymous`` is false (then ``name`` and ``contact`` are optional).
    A report of misconduct needs ``misconduct_type`` and goes to the independent queue. Keep the
    ``secret``: it is never shown again."""
    if over(request, "feedback.submit", submit_limit()):
        return error_response(429)
    office = Office.objects.filter(code=payload.office_code.strip(), is_active=True).first()
    if office is None:
        raise invalid_field("office_code", "No office has this code.", "unknown")
    if payload.anonymous and (payload.name or payload.contact):
        raise invalid_field("anonymous", "An anonymous report has no name and no contact.")
    done: services.Submitted = run_service(
        lambda: services.feedback_submit(
            office=office,
            kind=payload.kind,
            misconduct_type=payload.misconduct_type or "",
            message=payload.message,
            anonymous=payload.anonymous,
            name=payload.name,
            contact=payload.contact,
            language=payload.language,
            channel=Channel.API,
        )
    )
    return Status(201, {"reference": done.feedback.reference, "secret": done.secret})


@router.post(
    "/feedback/status",
    auth=None,
    response={200: PublicStatusOut, **PUBLIC_ERRORS},
    summary="A report's status and answer, with its reference and secret (no sign-in)",
)
def feedback_status(request: HttpRequest, payload: PublicStatusIn) -> Any:
    """Only the status, the dates and the answer. 404 for an unknown reference and for a wrong
    secret alike; 429 once this address or this reference was checked too often."""
    raw = payload.reference[:40]
    reference = services.normalise_reference(raw) or raw.upper().strip()
    if over(request, "feedback.status", status_limit(), reference):
        return error_response(429)
    found = services.feedback_by_code(payload.reference, payload.secret)
    if found is None:
        return error_response(404, message=NO_MATCH)
    return status_of(found)
