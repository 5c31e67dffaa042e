"""The public pages of feedback (no sign-in; ``/portal/feedback/``): the form for feedback,
complaints and reports of misconduct, and the status check with the code and secret.

Both are rate-limited per client address (the status check also per reference, so that a code
cannot be guessed at from many addresses); a filled honeypot field answers like a success and
saves nothing. The reference and secret travel in POST bodies only, never in a URL; the pages
that show them are never cached.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from wayhome.accounts.models import Office
from wayhome.core.forms import add_service_errors
from wayhome.core.http import no_store
from wayhome.core.ratelimit import Limit, over
from wayhome.feedback import services
from wayhome.feedback.forms import PublicSubmitForm, StatusForm
from wayhome.feedback.models import Channel, Feedback

HOUR = 3600


def submit_limit() -> Limit:
    return Limit(settings.PUBLIC_FORM_LIMIT, HOUR)


def status_limit() -> Limit:
    return Limit(settings.STATUS_CHECK_LIMIT, HOUR)


def public_offices() -> list[Office]:
    return list(Office.objects.filter(is_active=True).order_by("name", "code"))


def current_language() -> str:
    code = (translation.get_language() or "").split("-")[0].lower()
    return code if code in {lang for lang, _name in settings.LANGUAGES} else ""


def too_many(request: HttpRequest) -> HttpResponse:
    return no_store(render(request, "feedback/public_too_many.html", status=429))


def _submitted(request: HttpRequest, reference: str, secret: str) -> HttpResponse:
    context = {"reference": reference, "secret": secret}
    return no_store(render(request, "feedback/public_submitted.html", context))


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    offices = public_offices()
    if request.method == "GET":
        form = PublicSubmitForm(offices=offices)
        return render(request, "feedback/public_submit.html", {"form": form})
    form = PublicSubmitForm(request.POST, offices=offices)
    if over(request, "feedback.submit", submit_limit()):
        # Nothing is saved, and what the person typed is shown again to send later.
        context = {"form": form, "limited": True}
        return no_store(render(request, "feedback/public_submit.html", context, status=429))
    if request.POST.get("website"):
        # A robot filled in the hidden field: it is told what a person would be, nothing saved.
        return _submitted(request, services.new_reference(), services.new_secret())
    if form.is_valid():
        try:
            done = services.feedback_submit(
                office=form.chosen_office(),
                language=current_language(),
                channel=Channel.PORTAL,
                **form.values(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _submitted(request, done.feedback.reference, done.secret)
    return no_store(render(request, "feedback/public_submit.html", {"form": form}, status=400))


def status_of(feedback: Feedback) -> dict[str, Any]:
    """All the person may read of their report: the status, the dates, the answer."""
    return {
        "status": feedback.status,
        "status_label": str(feedback.get_status_display()),
        "received_on": feedback.submitted_at.date(),
        "answered_on": feedback.responded_at.date() if feedback.responded_at else None,
        "response": feedback.response if feedback.responded_at else "",
    }


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return no_store(render(request, "feedback/public_status.html", {"form": StatusForm()}))
    form = StatusForm(request.POST)
    raw = str(request.POST.get("reference", ""))[:40]
    reference = services.normalise_reference(raw) or raw.upper().strip()
    targets = [reference] if reference else []
    if over(request, "feedback.status", status_limit(), *targets):
        return too_many(request)
    if not form.is_valid():
        return no_store(render(request, "feedback/public_status.html", {"form": form}, status=400))
    found = services.feedback_by_code(form.cleaned_data["reference"], form.cleaned_data["secret"])
    if found is None:
        context = {"form": StatusForm(), "no_match": True}
        return no_store(render(request, "feedback/public_status.html", context, status=404))
    context = {"form": StatusForm(), "report": status_of(found)}
    return no_store(render(request, "feedback/public_status.html", context))
