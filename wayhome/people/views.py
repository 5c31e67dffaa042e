"""The people pages: list and search, registration, the record, and its change.

Every page that shows a person's record writes "person.view"; the list writes "person.list" and a
search "person.search" (with what it was looked up by and how many were found, never the text).
Person ids are the only thing about a person in a URL.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm_anywhere, offices_with
from wayhome.audit.services import audit_record
from wayhome.core.countries import country_name
from wayhome.people.forms import PersonCreateForm, PersonSearchForm, PersonUpdateForm
from wayhome.people.selectors import person_access, person_policy, search_kind
from wayhome.people.selectors import person_list as select_people
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
    paginator = Paginator(select_people(request.user, query=query), PAGE_SIZE)
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
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]
    template = "people/person_list_results.html" if partial else "people/person_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    offices = Office.objects.filter(
        pk__in=offices_with(request.user, Perm.PERSON_CREATE), is_active=True
    ).order_by("name")
    if not offices.exists():
        raise Http404
    working = _working_office_id(request)
    initial = {"office": working} if working and offices.filter(pk=working).exists() else {}
    form = PersonCreateForm(request.POST or None, offices=offices, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            person = create_person(
                actor=request.user, office=form.cleaned_data["office"], **form.person_data()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The person is registered."))
            return redirect("people:person-detail", person_id=person.pk)
    status = 400 if form.is_bound else 200
    return render(request, "people/person_create.html", {"form": form}, status=status)


@login_required
@require_GET
def person_detail(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = person_access(request.user, person_id)
    context = {
        "person": person,
        "nationality_name": country_name(person.nationality) if person.nationality else "",
        "can_change": person_policy.check(request.user, person, perm=Perm.PERSON_CHANGE),
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
    response = render(
        request, "people/person_update.html", {"form": form, "person": person}, status=status
    )
    response["Cache-Control"] = "no-store"
    return response
