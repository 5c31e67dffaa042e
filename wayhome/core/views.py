from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm_anywhere, is_office_staff
from wayhome.accounts.selectors import role_list_by_office
from wayhome.cases.selectors import QUEUE_ROWS, STUCK_AFTER_DAYS, case_queue
from wayhome.feedback.selectors import open_feedback
from wayhome.movements.selectors import handovers_received, operations_offices, operations_queue
from wayhome.portal.selectors import new_inquiries
from wayhome.reintegration.models import OPEN_REFERRAL, ReferralStatus
from wayhome.reintegration.selectors import (
    is_partner_user,
    partner_referrals,
    reintegration_queue,
)
from wayhome.safety.selectors import held_cases
from wayhome.surveys.selectors import followups_due


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's home page with their work queue: their open cases by status, applications
    waiting for their approval, cases stuck in one status and cases held by a return restriction
    (only offices they may see); for operations officers what travel needs of them, for an
    origin office the hand-overs not yet taken over; the reintegration plans due and to approve."""
    sees_cases = has_perm_anywhere(request.user, Perm.CASE_VIEW)
    travel_offices = operations_offices(request.user)
    context = {
        "travel": operations_queue(travel_offices) if travel_offices else None,
        "to_take_over": handovers_received(request.user)
        .filter(acknowledged_at__isnull=True)
        .count()
        if sees_cases
        else 0,
        "office_roles": role_list_by_office(request.user),
        "queue": case_queue(request.user) if sees_cases else None,
        "held": list(held_cases(request.user)[:QUEUE_ROWS]) if sees_cases else None,
        "stuck_days": STUCK_AFTER_DAYS,
        "reintegration": _reintegration_summary(request.user) if sees_cases else None,
        "staff": is_office_staff(request.user),
        "partner_referrals": _partner_summary(request.user),
        "voice": _voice_summary(request.user),
    }
    response = render(request, "core/home.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _partner_summary(user: Any) -> dict[str, int] | None:
    """For a partner user: the referrals to their organisation, and those awaiting an answer."""
    if not is_partner_user(user):
        return None
    referrals = partner_referrals(user)
    return {
        "open": referrals.filter(status__in=OPEN_REFERRAL).count(),
        "waiting": referrals.filter(status=ReferralStatus.SENT).count(),
    }


def _voice_summary(user: Any) -> dict[str, Any] | None:
    """Inquiries from the portal, feedback (and, for ethics officers, misconduct reports) and
    survey follow-ups waiting for the user; each counted only for those who handle it."""
    handles_feedback = has_perm_anywhere(user, Perm.FEEDBACK_HANDLE)
    handles_misconduct = has_perm_anywhere(user, Perm.MISCONDUCT_HANDLE)
    surveys = has_perm_anywhere(user, Perm.SURVEY_CONDUCT)
    if not (handles_feedback or handles_misconduct or surveys):
        return None
    return {
        "inquiries": new_inquiries(user) if handles_feedback else None,
        "feedback": open_feedback(user) if handles_feedback or handles_misconduct else None,
        "handles_feedback": handles_feedback,
        "handles_misconduct": handles_misconduct,
        "followups": followups_due(user) if surveys else None,
    }


def _reintegration_summary(user: Any) -> dict[str, int]:
    """Counts for the home page: plans due after arrival (and overdue), plans to approve."""
    work = reintegration_queue(user)
    return {
        "due": len(work.plans_due),
        "overdue": sum(1 for row in work.plans_due if row["overdue"]),
        "to_approve": len(work.plans_to_approve),
    }


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 otherwise. Says nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def bench_bare(request: HttpRequest) -> HttpResponse:
    """The cheapest JSON answer (``WAYHOME_BENCH=1`` only): the benchmarks compare against it."""
    return JsonResponse({"ok": True})
