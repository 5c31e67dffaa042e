"""The consent pages: a case's voluntariness record, sessions, declarations and their signed
forms, the detention review, capacity and representation, withdrawal, and a person's data-sharing
consents.

Every page fetches its case (or person) through the office policy first: another office gets 404,
whatever the method. Reading needs "view case", recording "change case". Pages that name people
write "case.view" (``case_access``); a signed form's download is audited and never cached.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm
from wayhome.audit.services import audit_record
from wayhome.cases.models import Case, CaseMember
from wayhome.cases.selectors import case_access, case_get
from wayhome.cases.services import TransitionBlocked
from wayhome.consent import services
from wayhome.consent.forms import (
    CapacityForm,
    ConsentForm,
    DecisionForm,
    DeclarationForm,
    RepresentativeForm,
    ReviewForm,
    SessionForm,
    SignedFormUploadForm,
    WithdrawalForm,
    read_upload,
)
from wayhome.consent.models import SIGNED_FORM_TYPES
from wayhome.consent.rules import member_states
from wayhome.consent.selectors import (
    consent_get,
    consent_person_get,
    consent_summary,
    decision_form_read,
    declaration_form_read,
    member_get,
    member_state,
    sharing_consents,
)
from wayhome.core.forms import add_service_errors
from wayhome.core.http import no_store


@login_required
@require_GET
def case_detail(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = case_access(request.user, case_id, perm=Perm.CASE_VIEW)
    context = {
        "case": case,
        "consent": consent_summary(case, request.user),
        "sessions": case.information_sessions.prefetch_related("attendees").select_related(
            "counsellor"
        ),
        "labels": {state.member.pk: state.label for state in member_states(case)},
    }
    return no_store(render(request, "consent/case_detail.html", context))


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = case_get(request.user, case_id, perm=Perm.CASE_CHANGE)
    states = member_states(case)
    labels = {state.member.pk: state.label for state in states}
    form = SessionForm(
        request.POST or None, members=CaseMember.objects.filter(case=case), labels=labels
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.session_record(
                actor=request.user,
                case=case,
                held_on=data["held_on"],
                language=data["language"].strip().lower(),
                topics=data["topics"],
                attendees=list(data["attendees"]),
                interpreter=data["interpreter"],
                interpreter_name=data["interpreter_name"],
                materials_given=data["materials_given"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The information session is recorded."))
            return redirect("consent:case-detail", case_id=case.pk)
    status = 400 if form.is_bound else 200
    return no_store(
        render(request, "consent/session_create.html", {"case": case, "form": form}, status=status)
    )


def _member_page(
    request: HttpRequest,
    case: Case,
    member: CaseMember,
    *,
    status: int = 200,
    **bound: Any,
) -> HttpResponse:
    """The member's consent page, with any bound form that failed (shown with its errors)."""
    audit_record(actor=request.user, action="case.view", obj=case)
    state = member_state(case, member)
    representatives = member.representatives.all()
    can_change = has_perm(request.user, Perm.CASE_CHANGE, case.office_id)
    can_review = can_change or has_perm(request.user, Perm.CASE_APPROVE, case.office_id)
    context = {
        "case": case,
        "member": member,
        "state": state,
        "can_change": can_change,
        "can_review": can_review,
        "declaration_form": bound.get("declaration_form") or DeclarationForm(),
        "upload_form": bound.get("upload_form") or SignedFormUploadForm(),
        "review_form": bound.get("review_form") or ReviewForm(),
        "capacity_form": bound.get("capacity_form") or CapacityForm(),
        "representative_form": bound.get("representative_form") or RepresentativeForm(),
        "decision_form": bound.get("decision_form")
        or DecisionForm(representatives=representatives),
    }
    return no_store(render(request, "consent/member_detail.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def declaration_record(
    request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID
) -> HttpResponse:
    """The member's consent page (GET) and the recording of a declaration (POST)."""
    perm = Perm.CASE_CHANGE if request.method == "POST" else Perm.CASE_VIEW
    case, member = member_get(request.user, case_id, member_id, perm=perm)
    if request.method == "GET":
        return _member_page(request, case, member)
    form = DeclarationForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        signed_form, content_type = read_upload(data["signed_form"])
        try:
            services.declaration_record(
                actor=request.user,
                member=member,
                freedom_of_choice=data["freedom_of_choice"],
                informed_decision=data["informed_decision"],
                declared_on=data["declared_on"],
                in_detention=data["in_detention"],
                signed_form=signed_form,
                signed_form_type=content_type,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The declaration is recorded."))
            return redirect("consent:declaration-record", case_id=case.pk, member_id=member.pk)
    return _member_page(request, case, member, status=400, declaration_form=form)


def _signed_form_download(record: Any, name: str) -> HttpResponse:
    """A signed form as an attachment: never cached, never sniffed into something else."""
    extension = SIGNED_FORM_TYPES.get(record.signed_form_type, "bin")
    response = HttpResponse(bytes(record.signed_form or b""), content_type=record.signed_form_type)
    response["Content-Disposition"] = f'attachment; filename="{name}-{record.pk}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return no_store(response)


@login_required
@require_http_methods(["GET", "POST"])
def declaration_form(
    request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID
) -> HttpResponse:
    """GET: the signed form of the declaration in force (audited, never cached); POST: attach."""
    if request.method == "GET":
        signed = declaration_form_read(request.user, case_id, member_id)
        return _signed_form_download(signed, "declaration")
    case, member = member_get(request.user, case_id, member_id, perm=Perm.CASE_CHANGE)
    form = SignedFormUploadForm(request.POST, request.FILES)
    declaration = member.declarations.defer("signed_form").first()
    if declaration is None:
        form.add_error(None, _("Record the declaration first."))
    elif form.is_valid():
        data, content_type = read_upload(form.cleaned_data["signed_form"])
        try:
            services.declaration_form_attach(
                actor=request.user,
                declaration=declaration,
                data=data or b"",
                content_type=content_type,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The signed form is attached."))
            return redirect("consent:declaration-record", case_id=case.pk, member_id=member.pk)
    return _member_page(request, case, member, status=400, upload_form=form)


@login_required
@require_POST
def declaration_review(
    request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID
) -> HttpResponse:
    case, member = member_get(request.user, case_id, member_id, perm=Perm.CASE_VIEW)
    if not (
        has_perm(request.user, Perm.CASE_CHANGE, case.office_id)
        or has_perm(request.user, Perm.CASE_APPROVE, case.office_id)
    ):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    declaration = member.declarations.defer("signed_form").first()
    if declaration is None:
        form.add_error(None, _("Record the declaration first."))
    elif form.is_valid():
        try:
            services.declaration_review(
                actor=request.user, declaration=declaration, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your review is recorded."))
            return redirect("consent:declaration-record", case_id=case.pk, member_id=member.pk)
    return _member_page(request, case, member, status=400, review_form=form)


@login_required
@require_POST
def capacity_record(request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID) -> HttpResponse:
    case, member = member_get(request.user, case_id, member_id, perm=Perm.CASE_CHANGE)
    form = CapacityForm(request.POST)
    if form.is_valid():
        try:
            services.capacity_record(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The capacity assessment is recorded."))
            return redirect("consent:declaration-record", case_id=case.pk, member_id=member.pk)
    return _member_page(request, case, member, status=400, capacity_form=form)


@login_required
@require_POST
def representative_add(
    request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID
) -> HttpResponse:
    case, member = member_get(request.user, case_id, member_id, perm=Perm.CASE_CHANGE)
    form = RepresentativeForm(request.POST)
    if form.is_valid():
        try:
            services.representative_add(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The representative is added."))
            return redirect("consent:declaration-record", case_id=case.pk, member_id=member.pk)
    return _member_page(request, case, member, status=400, representative_form=form)


@login_required
@require_POST
def decision_record(request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID) -> HttpResponse:
    case, member = member_get(request.user, case_id, member_id, perm=Perm.CASE_CHANGE)
    form = DecisionForm(request.POST, request.FILES, representatives=member.representatives.all())
    if form.is_valid():
        data = form.cleaned_data
        signed_form, content_type = read_upload(data["signed_form"])
        try:
            services.representative_decision_record(
                actor=request.user,
                member=member,
                representative=data["representative"],
                decision=data["decision"],
                decided_on=data["decided_on"],
                signed_form=signed_form,
                signed_form_type=content_type,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The representative's decision is recorded."))
            return redirect("consent:declaration-record", case_id=case.pk, member_id=member.pk)
    return _member_page(request, case, member, status=400, decision_form=form)


@login_required
@require_GET
def decision_form(
    request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID, decision_id: uuid.UUID
) -> HttpResponse:
    """The signed form of a representative's decision (audited, never cached)."""
    signed = decision_form_read(request.user, case_id, member_id, decision_id)
    return _signed_form_download(signed, "representative-decision")


@login_required
@require_http_methods(["GET", "POST"])
def withdrawal_create(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = case_get(request.user, case_id, perm=Perm.CASE_CHANGE)
    form = WithdrawalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_withdraw(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except TransitionBlocked as exc:
            for unmet in exc.unmet:
                form.add_error(None, str(unmet.message))
        else:
            messages.success(request, _("The case is withdrawn."))
            return redirect("consent:case-detail", case_id=case.pk)
    status = 400 if form.is_bound else 200
    context = {"case": case, "form": form, "open": case.status in services.OPEN_STATUSES}
    return no_store(render(request, "consent/withdrawal_create.html", context, status=status))


def _consent_context(request: HttpRequest, person: Any, form: ConsentForm) -> dict[str, Any]:
    return {
        "person": person,
        "form": form,
        "consents": sharing_consents(person),
        "can_change": has_perm(request.user, Perm.CASE_CHANGE, person.office_id),
    }


@login_required
@require_http_methods(["GET", "POST"])
def consent_list(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """A person's data-sharing consents (GET) and the recording of a new one (POST)."""
    perm = Perm.CASE_CHANGE if request.method == "POST" else Perm.CASE_VIEW
    person = consent_person_get(request.user, person_id, perm=perm)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_give(
                actor=request.user,
                person=person,
                purpose=data["purpose"],
                recipient_kind=data["recipient_kind"],
                recipient_office=data["recipient_office"],
                recipient_name=data["recipient_name"],
                given_on=data["given_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The consent is recorded."))
            return redirect("consent:consent-list", person_id=person.pk)
    audit_record(actor=request.user, action="consent.sharing_view", obj=person)
    status = 400 if form.is_bound else 200
    context = _consent_context(request, person, form)
    return no_store(render(request, "consent/consent_list.html", context, status=status))


@login_required
@require_POST
def consent_revoke(
    request: HttpRequest, person_id: uuid.UUID, consent_id: uuid.UUID
) -> HttpResponse:
    """Revokes a consent; with HTMX, answers the refreshed list of consents only."""
    person = consent_person_get(request.user, person_id, perm=Perm.CASE_CHANGE)
    consent = consent_get(person, consent_id)
    try:
        services.consent_revoke(actor=request.user, consent=consent)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The consent is revoked."))
    if getattr(request, "htmx", False):
        context = _consent_context(request, person, ConsentForm())
        return no_store(render(request, "consent/consent_list_items.html", context))
    return redirect("consent:consent-list", person_id=person.pk)
