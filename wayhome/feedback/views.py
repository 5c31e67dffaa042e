"""Staff pages of feedback (``/feedback/``): the office queue (``FEEDBACK_HANDLE``), the
independent queue of misconduct reports (``MISCONDUCT_HANDLE``), a report with its triage, notes,
answer, closing and moving between the queues, the statistics, and feedback received by phone
or in person.

Every page reads through ``access`` (a report the user does not handle answers 404 whatever the
method). Reading a report is audited (``feedback.view``); actions are POSTed forms carrying the
version the page was shown at.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm_anywhere, offices_with
from wayhome.core import charts
from wayhome.core.forms import add_service_errors
from wayhome.core.http import no_store
from wayhome.core.paging import CappedPaginator
from wayhome.feedback import access, selectors, services
from wayhome.feedback.forms import (
    FilterForm,
    NoteForm,
    RespondForm,
    RouteForm,
    StaffSubmitForm,
    TriageForm,
    posted_version,
)
from wayhome.feedback.models import Channel, Feedback, Kind

PAGE_SIZE = 50


def _offices(ids: set[uuid.UUID]) -> list[Office]:
    return list(Office.objects.filter(pk__in=ids, is_active=True).order_by("name"))


# --- the queues ---------------------------------------------------------------------------------


def _queue_page(request: HttpRequest, queue: access.Queue) -> HttpResponse:
    perm = Perm.FEEDBACK_HANDLE if queue == "office" else Perm.MISCONDUCT_HANDLE
    offices = _offices(offices_with(request.user, perm))
    kinds = (
        [(Kind.FEEDBACK.value, Kind.FEEDBACK.label), (Kind.COMPLAINT.value, Kind.COMPLAINT.label)]
        if queue == "office"
        else []
    )
    form = FilterForm(request.GET or None, offices=offices, kinds=kinds)
    filters = selectors.Filters(
        status=form.value("status") or "",
        kind=form.value("kind") or "",
        category=form.value("category") or "",
        priority=form.value("priority") or "",
        office_id=form.office_id() if "office" in form.fields else None,
        overdue=bool(form.value("overdue")),
    )
    reports = selectors.feedback_list(request.user, filters, queue=queue)
    page = CappedPaginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "queue": queue,
        "filter_form": form,
        "page": page,
        "filter_query": params.urlencode(),
        "today": timezone.localdate(),
        "can_record": queue == "office",
        "other_queue": has_perm_anywhere(
            request.user, Perm.MISCONDUCT_HANDLE if queue == "office" else Perm.FEEDBACK_HANDLE
        ),
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return no_store(render(request, "feedback/feedback_list.html", context, status=status))


@login_required
@require_GET
def feedback_list(request: HttpRequest) -> HttpResponse:
    """The office's feedback and complaints (never a report of misconduct)."""
    if not has_perm_anywhere(request.user, Perm.FEEDBACK_HANDLE):
        if has_perm_anywhere(request.user, Perm.MISCONDUCT_HANDLE):
            return redirect("feedback:misconduct-list")
        raise Http404
    return _queue_page(request, "office")


@login_required
@require_GET
def misconduct_list(request: HttpRequest) -> HttpResponse:
    """The independent queue: reports of misconduct, for the ethics officers only."""
    if not has_perm_anywhere(request.user, Perm.MISCONDUCT_HANDLE):
        raise Http404
    return _queue_page(request, "independent")


# --- recording feedback received by phone or in person ------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def feedback_create(request: HttpRequest) -> HttpResponse:
    offices = _offices(offices_with(request.user, Perm.FEEDBACK_HANDLE))
    if not offices:
        raise Http404
    form = StaffSubmitForm(request.POST or None, offices=offices)
    if request.method == "POST" and form.is_valid():
        try:
            done = services.feedback_submit(
                actor=request.user,
                office=form.chosen_office(),
                channel=Channel.STAFF,
                **form.values(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            context = {
                "reference": done.feedback.reference,
                "secret": done.secret,
                "feedback": done.feedback,
                "visible": access.may_handle(request.user, done.feedback),
            }
            return no_store(render(request, "feedback/feedback_recorded.html", context))
    status = 400 if form.is_bound else 200
    return no_store(render(request, "feedback/feedback_create.html", {"form": form}, status=status))


# --- one report ---------------------------------------------------------------------------------


def _detail(
    request: HttpRequest, feedback: Feedback, *, status: int = 200, **forms: Any
) -> HttpResponse:
    services.audit_feedback(request.user, "feedback.view", feedback)
    handlers = list(selectors.handlers_of(feedback))
    triage_initial = {
        "category": feedback.category,
        "priority": feedback.priority,
        "due_on": feedback.due_on,
        "status": feedback.status
        if feedback.status in services.TRIAGE_STATUSES
        else services.TRIAGE_STATUSES[0],
        "assigned_to": str(feedback.assigned_to_id or ""),
    }
    context = {
        "feedback": feedback,
        "notes": selectors.notes_for(request.user, feedback),
        "is_closed": feedback.status == "closed",
        "triage_form": forms.get("triage_form")
        or TriageForm(initial=triage_initial, handlers=handlers),
        "note_form": forms.get("note_form") or NoteForm(),
        "respond_form": forms.get("respond_form")
        or RespondForm(initial={"response": feedback.response}),
        "route_form": forms.get("route_form")
        or RouteForm(into_independent=not feedback.is_misconduct),
        "errors": forms.get("errors") or [],
    }
    return no_store(render(request, "feedback/feedback_detail.html", context, status=status))


@login_required
@require_GET
def feedback_detail(request: HttpRequest, feedback_id: uuid.UUID) -> HttpResponse:
    return _detail(request, access.feedback_get(request.user, feedback_id))


def _post(
    request: HttpRequest,
    feedback_id: uuid.UUID,
    *,
    make_form: Callable[[Feedback], BaseForm | None],
    form_name: str,
    save: Callable[[Feedback, Any], Any],
    done: str,
) -> HttpResponse:
    """A form posted from a report's page: saved through its service, then back to the report
    (or to the queue when it moved out of the user's sight), or the page again with the errors
    (nothing saved)."""
    feedback = access.feedback_get(request.user, feedback_id)
    form = make_form(feedback)
    forms: dict[str, Any] = {form_name: form} if form is not None else {}
    if form is None or form.is_valid():
        try:
            save(feedback, form)
        except PermissionDenied:
            raise Http404 from None  # moved to the other queue meanwhile
        except ValidationError as exc:
            if form is not None:
                add_service_errors(form, exc)
            else:
                forms["errors"] = exc.messages
        else:
            messages.success(request, done)
            if access.feedback_visible(request.user).filter(pk=feedback.pk).exists():
                return redirect("feedback:feedback-detail", feedback_id=feedback.pk)
            return redirect("feedback:feedback-list")
    feedback.refresh_from_db()
    return _detail(request, feedback, status=400, **forms)


@login_required
@require_POST
def feedback_triage(request: HttpRequest, feedback_id: uuid.UUID) -> HttpResponse:
    return _post(
        request,
        feedback_id,
        make_form=lambda fb: TriageForm(request.POST, handlers=list(selectors.handlers_of(fb))),
        form_name="triage_form",
        save=lambda fb, form: services.feedback_triage(
            actor=request.user,
            feedback=fb,
            category=form.cleaned_data["category"],
            priority=form.cleaned_data["priority"],
            due_on=form.cleaned_data["due_on"],
            status=form.cleaned_data["status"],
            assigned_to=form.assignee(),
            version=posted_version(request.POST),
        ),
        done=_("The report is triaged."),
    )


@login_required
@require_POST
def feedback_note(request: HttpRequest, feedback_id: uuid.UUID) -> HttpResponse:
    return _post(
        request,
        feedback_id,
        make_form=lambda fb: NoteForm(request.POST),
        form_name="note_form",
        save=lambda fb, form: services.feedback_note_add(
            actor=request.user, feedback=fb, text=form.cleaned_data["text"]
        ),
        done=_("The note is added."),
    )


@login_required
@require_POST
def feedback_respond(request: HttpRequest, feedback_id: uuid.UUID) -> HttpResponse:
    return _post(
        request,
        feedback_id,
        make_form=lambda fb: RespondForm(request.POST),
        form_name="respond_form",
        save=lambda fb, form: services.feedback_respond(
            actor=request.user,
            feedback=fb,
            response=form.cleaned_data["response"],
            version=posted_version(request.POST),
        ),
        done=_("The answer is saved: the person can read it with their code and secret."),
    )


@login_required
@require_POST
def feedback_close(request: HttpRequest, feedback_id: uuid.UUID) -> HttpResponse:
    return _post(
        request,
        feedback_id,
        make_form=lambda fb: None,
        form_name="close_form",
        save=lambda fb, form: services.feedback_close(
            actor=request.user, feedback=fb, version=posted_version(request.POST)
        ),
        done=_("The report is closed."),
    )


@login_required
@require_POST
def feedback_route(request: HttpRequest, feedback_id: uuid.UUID) -> HttpResponse:
    return _post(
        request,
        feedback_id,
        make_form=lambda fb: RouteForm(request.POST, into_independent=not fb.is_misconduct),
        form_name="route_form",
        save=lambda fb, form: services.feedback_route(
            actor=request.user,
            feedback=fb,
            kind=form.cleaned_data["kind"],
            misconduct_type=form.cleaned_data.get("misconduct_type") or "",
            reason=form.cleaned_data["reason"],
            version=posted_version(request.POST),
        ),
        done=_("The report moved to the other queue."),
    )


# --- statistics ---------------------------------------------------------------------------------


@login_required
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    """Counts over what the user may see only (a misconduct report is counted in the independent
    queue's figures, for its ethics officers, and nowhere else)."""
    handled = access.offices_handled(request.user)
    if not handled:
        raise Http404
    offices = _offices(handled)
    office_id = None
    chosen = request.GET.get("office", "")
    if chosen:
        try:
            office_id = uuid.UUID(chosen)
        except ValueError:
            office_id = None
        if office_id not in {office.pk for office in offices}:
            office_id = None
    stats = selectors.feedback_statistics(request.user, office_id=office_id)
    context = {
        "stats": stats,
        "offices": offices,
        "office_id": office_id,
        "charts": [
            (_("Received per month"), "month", charts.bar_chart(stats.by_month)),
            (_("By kind"), "kind", charts.bar_chart(stats.by_kind)),
            (_("By category"), "category", charts.bar_chart(stats.by_category)),
            (_("By status"), "status", charts.bar_chart(stats.by_status)),
        ],
    }
    return no_store(render(request, "feedback/statistics.html", context))
