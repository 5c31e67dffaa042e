"""The people pages: list and search, registration, the record, and its change.

Every page that shows a person's record writes "person.view"; the list writes "person.list" and a
search "person.search" (with what it was looked up by and how many were found, never the text).
Person ids are the only thing about a person in a URL.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm, has_perm_anywhere, offices_with
from wayhome.audit.services import audit_record
from wayhome.core.countries import country_name
from wayhome.core.http import add_query, is_partial, safe_next
from wayhome.core.languages import language_name
from wayhome.core.paging import CappedPaginator
from wayhome.people.duplicates import IDENTITY_FIELDS, duplicate_candidates
from wayhome.people.forms import (
    DocumentForm,
    DuplicateDecisionForm,
    MatchEnquiryAnswerForm,
    MatchEnquiryForm,
    PersonCreateForm,
    PersonIdentifyForm,
    PersonSearchForm,
    PersonUpdateForm,
    PhotoForm,
)
from wayhome.people.history import previously_assisted
from wayhome.people.selectors import (
    document_get,
    duplicate_decision_get,
    duplicate_decision_list,
    linked_people,
    match_enquiry_get,
    match_enquiry_list,
    person_access,
    person_get,
    person_policy,
    search_kind,
)
from wayhome.people.selectors import person_list as select_people
from wayhome.people.services import (
    document_add,
    document_remove,
    duplicate_decide,
    person_photo_set,
)
from wayhome.people.services import document_update as change_document
from wayhome.people.services import duplicate_decision_reverse as reverse_decision
from wayhome.people.services import match_enquiry_answer as answer_enquiry
from wayhome.people.services import match_enquiry_create as ask_office
from wayhome.people.services import person_create as create_person
from wayhome.people.services import person_update as update_person

#: People shown per page of the list.
PAGE_SIZE = 25


def _working_office_id(request: HttpRequest) -> uuid.UUID | None:
    office = getattr(request, "office", None)
    return office.pk if office else None


def _page_query(page: int) -> str:
    """The query string of another page of the unsearched list (a search pages by POST)."""
    params = QueryDict(mutable=True)
    params["page"] = str(page)
    return params.urlencode()


@login_required
@require_http_methods(["GET", "POST"])
def person_list(request: HttpRequest) -> HttpResponse:
    """The people the user may see; a search is POSTed so that no name lands in a URL (browser
    history, proxy and server logs). GET ``?q=`` gives the same answer for hand-made links."""
    if not has_perm_anywhere(request.user, Perm.PERSON_VIEW):
        raise Http404
    data = request.POST if request.method == "POST" else request.GET
    form = PersonSearchForm(data if "q" in data else None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    paginator = CappedPaginator(select_people(request.user, query=query), PAGE_SIZE)
    page = paginator.get_page(data.get("page"))
    kind = search_kind(query)
    audit_record(
        actor=request.user,
        action="person.search" if kind else "person.list",
        office_id=_working_office_id(request),
        details={"by": kind, "page": page.number, "shown": len(page.object_list)}
        if kind
        else {"page": page.number, "shown": len(page.object_list)},
    )
    context = {
        "form": form,
        "page": page,
        "query": query,
        "previous_query": _page_query(page.previous_page_number()) if page.has_previous() else "",
        "next_query": _page_query(page.next_page_number()) if page.has_next() else "",
        "can_create": has_perm_anywhere(request.user, Perm.PERSON_CREATE),
    }
    partial = is_partial(request)
    template = "people/person_list_results.html" if partial else "people/person_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    response["Cache-Control"] = "no-store"
    return response


def _create_offices(request: HttpRequest) -> Any:
    return Office.objects.filter(
        pk__in=offices_with(request.user, Perm.PERSON_CREATE), is_active=True
    ).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    """Registration in two steps, both POSTed (no name ever in a URL): the identifying fields
    first, which shows the likely existing records in every office; then the full form, the
    identifying data carried forward in it, which registers. The first step saves nothing."""
    offices = _create_offices(request)
    if not offices.exists():
        raise Http404
    working = _working_office_id(request)
    initial = {"office": working} if working and offices.filter(pk=working).exists() else {}
    step = request.POST.get("step", "") if request.method == "POST" else ""
    context: dict[str, Any] = {"step": "identify", "next": safe_next(request)}
    if step == "register":
        form: PersonCreateForm = PersonCreateForm(request.POST, offices=offices)
        if form.is_valid():
            try:
                person = create_person(
                    actor=request.user, office=form.cleaned_data["office"], **form.person_data()
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("The person is registered."))
                back = safe_next(request)
                if back:  # e.g. the case wizard, which then offers the new person
                    return redirect(add_query(back, "person", str(person.pk)))
                return redirect("people:person-detail", person_id=person.pk)
        context["step"] = "register"
    elif step == "check":
        identify = PersonIdentifyForm(request.POST, offices=offices)
        if identify.is_valid():
            candidates = duplicate_candidates(request.user, identify.person_data())
            context.update(
                step="register",
                candidates=candidates,
                enquiry_office=identify.cleaned_data["office"],
            )
            form = PersonCreateForm(
                offices=offices,
                initial={**identify.cleaned_data, "office": identify.cleaned_data["office"].pk},
            )
        else:
            form = identify
    else:
        form = PersonIdentifyForm(offices=offices, initial=initial)
    context["form"] = form
    status = 400 if form.is_bound and form.errors else 200
    response = render(request, "people/person_create.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def person_detail(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = person_access(request.user, person_id)
    context = {
        "person": person,
        "nationality_name": country_name(person.nationality) if person.nationality else "",
        "nationality_list": [(code, country_name(code)) for code in person.other_nationalities],
        "language_list": [(code, language_name(code)) for code in person.languages],
        "documents": person.documents.all(),
        "linked": linked_people(request.user, person),
        "assisted": previously_assisted(person),
        "can_change": person_policy.check(request.user, person, perm=Perm.PERSON_CHANGE),
        "can_protect": person_policy.check(request.user, person, perm=Perm.DATA_PROTECTION),
    }
    response = render(request, "people/person_detail.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def person_update(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = person_access(request.user, person_id, perm=Perm.PERSON_CHANGE)
    form = PersonUpdateForm(
        request.POST or None, instance=person, initial={"version": person.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_person(
                actor=request.user,
                person=person,
                version=form.cleaned_data["version"],
                **form.person_data(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("people:person-detail", person_id=person.pk)
    status = 400 if form.is_bound else 200
    context = {"form": form, "person": person, "photo_form": PhotoForm()}
    response = render(request, "people/person_update.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def person_photo(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """GET: the photo, to users who may see the person, never cached. POST: upload or remove
    (PERSON_CHANGE)."""
    if request.method == "POST":
        person = person_get(request.user, person_id, perm=Perm.PERSON_CHANGE)
        form = PhotoForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["photo"]
            content = None if form.cleaned_data["remove"] else (upload.read() if upload else b"")
            if content != b"":
                try:
                    person_photo_set(actor=request.user, person=person, content=content)
                except ValidationError as exc:
                    form.add_error("photo", exc.message_dict.get("photo", exc.messages))
                else:
                    messages.success(request, _("The photo is saved."))
                    return redirect("people:person-detail", person_id=person.pk)
            else:
                form.add_error("photo", _("Choose a photo, or tick Remove."))
        person = person_access(request.user, person_id, perm=Perm.PERSON_CHANGE)
        context = {
            "form": PersonUpdateForm(instance=person, initial={"version": person.version}),
            "person": person,
            "photo_form": form,
        }
        response = render(request, "people/person_update.html", context, status=400)
        response["Cache-Control"] = "no-store"
        return response
    person = person_get(request.user, person_id)
    if not person.photo:
        raise Http404
    audit_record(actor=request.user, action="person.photo_view", obj=person)
    response = HttpResponse(bytes(person.photo), content_type=person.photo_type or "image/jpeg")
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


# Identity documents ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = person_get(request.user, person_id, perm=Perm.PERSON_CHANGE)
    form = DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            document_add(actor=request.user, person=person, **form.document_data())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The document is added."))
            return redirect("people:person-detail", person_id=person.pk)
    status = 400 if form.is_bound else 200
    response = render(
        request, "people/document_create.html", {"form": form, "person": person}, status=status
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def document_update(
    request: HttpRequest, person_id: uuid.UUID, document_id: uuid.UUID
) -> HttpResponse:
    person = person_get(request.user, person_id, perm=Perm.PERSON_CHANGE)
    document = document_get(request.user, person, document_id)
    form = DocumentForm(request.POST or None, instance=document)
    if request.method == "POST" and form.is_valid():
        try:
            change_document(actor=request.user, document=document, **form.document_data())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The document is changed."))
            return redirect("people:person-detail", person_id=person.pk)
    status = 400 if form.is_bound else 200
    context = {"form": form, "person": person, "document": document}
    response = render(request, "people/document_update.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def document_delete(
    request: HttpRequest, person_id: uuid.UUID, document_id: uuid.UUID
) -> HttpResponse:
    person = person_get(request.user, person_id, perm=Perm.PERSON_CHANGE)
    document = document_get(request.user, person, document_id)
    document_remove(actor=request.user, document=document)
    messages.success(request, _("The document is removed."))
    return redirect("people:person-detail", person_id=person.pk)


# Duplicates ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def person_duplicates(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """The possible duplicates of a person and the decisions in force; POST decides on one."""
    person = person_access(request.user, person_id)
    form = DuplicateDecisionForm(request.POST or None)
    if request.method == "POST":
        person = person_get(request.user, person_id, perm=Perm.PERSON_CHANGE)
        if form.is_valid():
            other = person_get(request.user, form.cleaned_data["other"], perm=Perm.PERSON_CHANGE)
            try:
                duplicate_decide(
                    actor=request.user,
                    person=person,
                    other=other,
                    outcome=form.cleaned_data["outcome"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, _("The decision is recorded."))
                return redirect("people:person-duplicates", person_id=person.pk)
    identity = {name: getattr(person, name) for name in IDENTITY_FIELDS}
    context = {
        "person": person,
        "form": form,
        "candidates": duplicate_candidates(request.user, identity, exclude_person=person),
        "decisions": duplicate_decision_list(person),
        "can_change": person_policy.check(request.user, person, perm=Perm.PERSON_CHANGE),
    }
    status = 400 if form.is_bound else 200
    response = render(request, "people/person_duplicates.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def duplicate_decision_reverse(
    request: HttpRequest, duplicate_decision_id: uuid.UUID
) -> HttpResponse:
    decision = duplicate_decision_get(request.user, duplicate_decision_id)
    try:
        reverse_decision(actor=request.user, decision=decision)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The decision is reversed."))
    return redirect("people:person-duplicates", person_id=decision.person_a_id)


@login_required
@require_http_methods(["GET"])
def enquiry_list(request: HttpRequest) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.PERSON_VIEW):
        raise Http404
    response = render(
        request, "people/enquiry_list.html", {"enquiries": match_enquiry_list(request.user)}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def enquiry_create(request: HttpRequest) -> HttpResponse:
    offices = _create_offices(request)
    if not offices.exists():
        raise Http404
    working = _working_office_id(request)
    from_office = offices.filter(pk=working).first() or offices.first()
    assert from_office is not None  # noqa: S101 (narrowing for mypy)
    form = MatchEnquiryForm(request.POST)
    enquiry = None
    if form.is_valid():
        try:
            enquiry = ask_office(
                actor=request.user,
                from_office=from_office,
                reference=form.cleaned_data["reference"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            message = " ".join(exc.messages)
        else:
            message = _("Your enquiry is sent to %(office)s.") % {"office": enquiry.to_office.name}
    else:
        message = _("The enquiry could not be sent: check again for duplicates.")
    if is_partial(request):
        # From the registration page: answer in place, so that what was typed there stays.
        # Always 200: HTMX swaps only successful answers; a refusal is a role="alert" fragment.
        context = {"enquiry": enquiry, "message": message}
        return render(request, "people/enquiry_sent.html", context)
    if enquiry is None:
        messages.error(request, message)
        return redirect("people:enquiry-list")
    messages.success(request, message)
    return redirect("people:enquiry-detail", match_enquiry_id=enquiry.pk)


@login_required
@require_http_methods(["GET", "POST"])
def enquiry_detail(request: HttpRequest, match_enquiry_id: uuid.UUID) -> HttpResponse:
    enquiry = match_enquiry_get(request.user, match_enquiry_id)
    receiver = has_perm(request.user, Perm.PERSON_VIEW, enquiry.to_office_id)
    can_answer = has_perm(request.user, Perm.PERSON_CHANGE, enquiry.to_office_id)
    form = MatchEnquiryAnswerForm(request.POST or None)
    if request.method == "POST":
        if not can_answer:
            raise Http404
        if form.is_valid():
            try:
                answer_enquiry(
                    actor=request.user, enquiry=enquiry, answer=form.cleaned_data["answer"]
                )
            except ValidationError as exc:
                form.add_error("answer", exc.message_dict.get("answer", exc.messages))
            else:
                messages.success(request, _("Your answer is sent."))
                return redirect("people:enquiry-detail", match_enquiry_id=enquiry.pk)
    audit_record(
        actor=request.user,
        action="person.match_enquiry_view",
        obj=enquiry,
        office_id=enquiry.to_office_id,
    )
    context = {
        "enquiry": enquiry,
        "form": form,
        "can_answer": can_answer and enquiry.status == enquiry.Status.OPEN,
        # The asked office may open its own record; the asking office never learns who it is.
        "candidate_id": enquiry.candidate_id if receiver else None,
    }
    status = 400 if form.is_bound else 200
    response = render(request, "people/enquiry_detail.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response
