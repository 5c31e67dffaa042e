"""The case pages: the list (filters by GET, search by POST), opening a case, the case page
with its timeline and "what is missing", moves in the workflow, changes and new members.

Only ids are ever in a URL: a search by name is POSTed. Every page that shows a case writes
"case.view" (``case_access``); the list writes "case.list" and a search "case.search" (how many
were found, never the text).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm, has_perm_anywhere, offices_with
from wayhome.audit.services import audit_record
from wayhome.cases import selectors
from wayhome.cases.forms import (
    MEMBER_ROWS,
    CaseCreateForm,
    CaseFilterForm,
    CaseSearchForm,
    CaseUpdateForm,
    MemberAddForm,
    PersonSearchForm,
    TransitionForm,
    case_initial,
    region_choices,
)
from wayhome.cases.models import Case
from wayhome.cases.panels import panels
from wayhome.cases.services import TransitionBlocked, may_move
from wayhome.cases.services import case_create as create_service
from wayhome.cases.services import case_member_add as member_add_service
from wayhome.cases.services import case_transition as transition_case
from wayhome.cases.services import case_update as case_update_service
from wayhome.cases.workflow import Status, Unmet
from wayhome.core.countries import country_name, subdivision_name
from wayhome.core.forms import add_service_errors
from wayhome.core.http import add_query, is_partial, no_store
from wayhome.core.paging import CappedPaginator
from wayhome.people.models import Person

#: Cases shown per page of the list.
PAGE_SIZE = 25
#: People offered in a select before the user has to search by name.
CANDIDATES_SHOWN = 100


def _visible_offices(user: Any) -> QuerySet[Office]:
    return Office.objects.filter(pk__in=offices_with(user, Perm.CASE_VIEW)).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases the user may see. Filters and a reference are GET parameters; a search by name
    (or reference) is POSTed so that no name reaches a URL."""
    if not has_perm_anywhere(request.user, Perm.CASE_VIEW):
        raise Http404
    offices = _visible_offices(request.user)
    filter_form = CaseFilterForm(request.GET or None, offices=offices)
    search_form = CaseSearchForm(request.POST if request.method == "POST" else None)
    query = ""
    if request.method == "POST" and search_form.is_valid():
        query = search_form.cleaned_data["q"].strip()
        cases = selectors.case_search(request.user, query)
        source = request.POST
    elif request.method == "POST":
        cases = selectors.case_list(request.user).none()
        source = request.POST
    else:
        cases = selectors.case_filter(
            request.user, selectors.case_list(request.user), filter_form.filters()
        )
        source = request.GET
    page = CappedPaginator(cases, PAGE_SIZE).get_page(source.get("page"))
    audit_record(
        actor=request.user,
        action="case.search" if query else "case.list",
        office_id=getattr(getattr(request, "office", None), "pk", None),
        details={"page": page.number, "shown": len(page.object_list)},
    )
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "filter_form": filter_form,
        "search_form": search_form,
        "page": page,
        "query": query,
        "filter_query": params.urlencode(),
        "can_create": has_perm_anywhere(request.user, Perm.CASE_CREATE),
    }
    template = "cases/case_list_results.html" if is_partial(request) else "cases/case_list.html"
    status = 400 if request.method == "POST" and not search_form.is_valid() else 200
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return no_store(response)


def _destination(case: Case) -> dict[str, str]:
    return {
        "country": country_name(case.destination_country),
        "region": subdivision_name(case.destination_region) if case.destination_region else "",
    }


def _detail_context(
    request: HttpRequest,
    case: Case,
    *,
    transition_form: TransitionForm | None = None,
    refused: list[Unmet] | None = None,
) -> dict[str, Any]:
    missing = selectors.case_missing(request.user, case)
    targets = [item.target for item in missing]
    can_move = any(may_move(request.user, case.office_id, target) for target in targets)
    return {
        "case": case,
        "destination": _destination(case),
        "members": selectors.case_members(case),
        "timeline": selectors.case_timeline(case),
        "missing": missing,
        "can_move": can_move and bool(targets),
        "can_change": has_perm(request.user, Perm.CASE_CHANGE, case.office_id),
        "can_add_member": has_perm(request.user, Perm.CASE_CHANGE, case.office_id)
        and case.status in (Status.REGISTERED, Status.COUNSELLING),
        "transition_form": transition_form or TransitionForm(targets=targets),
        "refused": refused,
        "panels": panels.for_case(request, case),
    }


@login_required
@require_GET
def case_detail(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = selectors.case_access(request.user, case_id)
    return no_store(render(request, "cases/case_detail.html", _detail_context(request, case)))


@login_required
@require_POST
def case_transition(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """A move in the workflow. A refused move shows the case page again with every unmet
    condition; a move made goes back to the case page."""
    case = selectors.case_get(request.user, case_id)
    form = TransitionForm(request.POST, targets=selectors.next_targets(case))
    refused: list[Unmet] | None = None
    if form.is_valid():
        try:
            transition_case(
                actor=request.user,
                case=case,
                target=form.cleaned_data["target"],
                reason=form.cleaned_data["reason"],
            )
        except TransitionBlocked as exc:
            refused = exc.unmet
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            label = Status(form.cleaned_data["target"]).label
            messages.success(request, _("The case is now “%(status)s”.") % {"status": label})
            return redirect("cases:case-detail", case_id=case.pk)
    case = selectors.case_access(request.user, case_id)
    context = _detail_context(request, case, transition_form=form, refused=refused)
    status = 409 if refused else 400
    return no_store(render(request, "cases/case_detail.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def case_update(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = selectors.case_access(request.user, case_id, perm=Perm.CASE_CHANGE)
    form = CaseUpdateForm(
        request.POST or None, initial=case_initial(case), office_ids=[case.office_id]
    )
    saving = request.method == "POST" and request.POST.get("action") != "refresh"
    if saving and form.is_valid():
        try:
            case_update_service(
                actor=request.user,
                case=case,
                version=form.cleaned_data["version"],
                **form.case_data(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("cases:case-detail", case_id=case.pk)
    status = 400 if saving else 200
    return no_store(
        render(request, "cases/case_update.html", {"form": form, "case": case}, status=status)
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_member_add(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Adds a person of the case's office who is on no open case (a POSTed name search narrows
    the choice in a large office)."""
    case = selectors.case_access(request.user, case_id, perm=Perm.CASE_CHANGE)
    search = PersonSearchForm(request.POST or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    people = selectors.case_candidates(request.user, case.office_id)
    bound = request.method == "POST" and request.POST.get("action") != "search"
    form = MemberAddForm(request.POST if bound else None, people=people)
    if bound and form.is_valid():
        try:
            member_add_service(
                actor=request.user,
                case=case,
                person=form.cleaned_data["person"],
                relationship=form.cleaned_data["relationship"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The member is added to the case."))
            return redirect("cases:case-detail", case_id=case.pk)
    shown = selectors.case_candidates(request.user, case.office_id, query=query)
    context = {
        "case": case,
        "form": form,
        "search_form": search,
        "candidates": list(shown[:CANDIDATES_SHOWN]),
        "more": shown.count() > CANDIDATES_SHOWN,
    }
    status = 400 if bound else 200
    return no_store(render(request, "cases/case_member_add.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    """Opening a case for people already registered (people not yet registered are registered
    first, with the duplicate search). POST ``action=search`` finds people by name and
    ``action=refresh`` shows the regions of the chosen country, without saving anything."""
    offices = Office.objects.filter(
        pk__in=offices_with(request.user, Perm.CASE_CREATE), is_active=True
    ).order_by("name")
    if not offices.exists():
        raise Http404
    data = request.POST if request.method == "POST" else None
    office = _chosen_office(request, offices, data)
    people = selectors.case_candidates(request.user, office.pk)
    initial: dict[str, Any] = {"office": office.pk}
    initial.update(_preselected(request, people))
    form = CaseCreateForm(data, offices=offices, office=office, people=people, initial=initial)
    search = PersonSearchForm(data)
    action = request.POST.get("action", "create")
    query = search.cleaned_data["q"] if search.is_valid() else ""
    if data is not None and action == "create" and form.is_valid():
        try:
            case = create_service(
                actor=request.user,
                office=form.cleaned_data["office"],
                principal=form.cleaned_data["principal"],
                members=form.members(),
                **form.case_data(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            opened = _("The case %(reference)s is open.") % {"reference": case.reference}
            messages.success(request, opened)
            return redirect("cases:case-detail", case_id=case.pk)
    shown = selectors.case_candidates(request.user, office.pk, query=query)
    candidates = list(shown[:CANDIDATES_SHOWN])
    chosen = _chosen_people(form, people, candidates)
    context = {
        "form": form,
        "search_form": search,
        "candidates": candidates + chosen,
        "more": shown.count() > CANDIDATES_SHOWN,
        "query": query,
        "register_next": _wizard_url(form, office),
    }
    status = 400 if data is not None and action == "create" else 200
    return no_store(render(request, "cases/case_create.html", context, status=status))


def _preselected(request: HttpRequest, people: QuerySet[Person]) -> dict[str, str]:
    """Initial choices from ``?person=<id>`` (repeated, in order: the principal, then members),
    as registration sends them back after "Register a person first". Ids of people the user
    may not put on a case are ignored."""
    wanted = [i for i in map(_uuid_or_none, request.GET.getlist("person")) if i][: MEMBER_ROWS + 1]
    allowed = set(people.filter(pk__in=wanted).values_list("pk", flat=True))
    chosen = list(dict.fromkeys(i for i in wanted if i in allowed))
    names = ["principal", *(f"member_{row}" for row in range(MEMBER_ROWS))]
    return {name: str(person_id) for name, person_id in zip(names, chosen, strict=False)}


def _wizard_url(form: CaseCreateForm, office: Office) -> str:
    """This page with the people chosen so far, for registration to come back to."""
    url = add_query(reverse("cases:case-create"), "office", str(office.pk))
    names = ["principal", *(f"member_{row}" for row in range(MEMBER_ROWS))]
    for name in names:
        value = _uuid_or_none(str(form[name].value() or ""))
        if value:
            url = add_query(url, "person", str(value))
    return url


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _chosen_office(request: HttpRequest, offices: QuerySet[Office], data: Any) -> Office:
    wanted = (data or request.GET).get("office") or getattr(
        getattr(request, "office", None), "pk", None
    )
    office_id = _uuid_or_none(str(wanted or ""))
    chosen = offices.filter(pk=office_id).first() if office_id else None
    return chosen or offices[0]


def _chosen_people(form: CaseCreateForm, people: Any, shown: list[Any]) -> list[Any]:
    """People already chosen in the form but not among those shown (kept selectable)."""
    names = ["principal", *(f"member_{row}" for row in range(len(form.member_rows())))]
    ids = {_uuid_or_none(str(form[name].value() or "")) for name in names} - {None}
    ids -= {person.pk for person in shown}
    return list(people.filter(pk__in=ids)) if ids else []


@login_required
@require_GET
def case_regions(request: HttpRequest) -> HttpResponse:
    """The region select for a country of return (HTMX swaps it in when the country changes)."""
    country = request.GET.get("destination_country", "")[:2]
    context = {"choices": region_choices(country), "selected": ""}
    return render(request, "cases/case_regions.html", context)
