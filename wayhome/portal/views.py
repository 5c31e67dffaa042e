"""Pages of the portal.

Public (``public_urls.py``, no sign-in, no JavaScript, light): what assisted voluntary return
and reintegration is, the countries with a page, a country's page, and the contact form. The
contact form is rate-limited per client address, has a honeypot field (filled in: answered like
a success, nothing saved) and ends on a thanks page by POST-redirect-GET, with nothing about the
person in the URL. Offices appear by their code, never by their id.

Staff (``urls.py``, /outreach/): the inquiries of the user's offices and their handling, and the
country pages the user's offices maintain. Objects come through ``selectors`` (404 when not
visible); reading an inquiry is audited.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm, has_perm_anywhere, offices_with
from wayhome.audit.services import audit_record
from wayhome.core.countries import COUNTRY_CODES, country_name
from wayhome.core.forms import add_service_errors
from wayhome.core.http import no_store
from wayhome.core.languages import language_name
from wayhome.core.paging import CappedPaginator
from wayhome.core.ratelimit import Limit, over
from wayhome.portal import selectors, services
from wayhome.portal.forms import (
    PREFERRED_LANGUAGES,
    ContactForm,
    CountryPageForm,
    InquiryFilterForm,
    InquiryUpdateForm,
)
from wayhome.portal.models import Channel, CountryPage, Inquiry

PAGE_SIZE = 25
CONTACT_SCOPE = "portal.contact"
LANGUAGE_NAMES = dict(settings.LANGUAGES)
AUTONYMS = dict(PREFERRED_LANGUAGES)


def contact_limit() -> Limit:
    return Limit(int(settings.PUBLIC_FORM_LIMIT), 3600)


def posted_version(post: Any) -> int | None:
    try:
        return int(post.get("version", ""))
    except (TypeError, ValueError):
        return None


def spoken_language(code: str) -> str:
    """A language as a person would recognise it: its own name where we know it."""
    return AUTONYMS.get(code) or (language_name(code) if code else "")


# --- public -------------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@require_GET
def country_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "portal/country_list.html", {"countries": selectors.published_countries()}
    )


@require_GET
def country_detail(request: HttpRequest, country: str) -> HttpResponse:
    """The page in the language asked for (``?language=``), else the current language, else
    English, else any published one."""
    code = country.upper()
    if code not in COUNTRY_CODES:
        raise Http404
    if country != code:
        return redirect("portal:country-detail", country=code)
    asked = request.GET.get("language", "")
    language = asked if asked in LANGUAGE_NAMES else None
    page = selectors.public_page(code, language)
    if page is None:
        raise Http404
    others = [
        (other, LANGUAGE_NAMES[other])
        for other in selectors.page_languages(code)
        if other != page.language and other in LANGUAGE_NAMES
    ]
    current = (translation.get_language() or "en").split("-")[0]
    context = {
        "page": page,
        "country_name": country_name(code),
        "office_name": page.office.name,
        "overdue": selectors.review_overdue(page),
        "page_language_name": LANGUAGE_NAMES.get(page.language, page.language),
        "not_in_wanted_language": page.language != (language or current),
        "other_languages": others,
        "bidi": translation.get_language_info(page.language)["bidi"],
    }
    return render(request, "portal/country_detail.html", context)


def _contact_page(request: HttpRequest, form: ContactForm, *, status: int = 200) -> HttpResponse:
    context = {"form": form, "limited": status == 429}
    return no_store(render(request, "portal/contact.html", context, status=status))


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    offices = list(selectors.active_offices())
    if request.method == "GET":
        current = (translation.get_language() or "en").split("-")[0]
        form = ContactForm(offices=offices, initial={"preferred_language": current})
        return _contact_page(request, form)
    form = ContactForm(request.POST, offices=offices)
    if over(request, CONTACT_SCOPE, contact_limit()):
        return _contact_page(request, form, status=429)
    if form.honeypot_filled:  # a robot: answered like a person, nothing kept
        return redirect("portal:contact-thanks")
    if form.is_valid():
        try:
            services.inquiry_submit(
                office=form.chosen_office(), channel=Channel.PORTAL, **form.values()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("portal:contact-thanks")
    return _contact_page(request, form, status=400)


@require_GET
def contact_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/contact_thanks.html")


# --- staff: inquiries ---------------------------------------------------------------------------


@login_required
@require_GET
def inquiry_list(request: HttpRequest) -> HttpResponse:
    """The inquiries to the user's offices, newest first, with how many are in each status.
    No personal data here: names and contacts are on each inquiry's page (audited)."""
    if not has_perm_anywhere(request.user, Perm.FEEDBACK_HANDLE):
        raise PermissionDenied
    filter_form = InquiryFilterForm(request.GET or None)
    status = filter_form.status_value() if request.GET else ""
    inquiries = selectors.inquiry_list(request.user, status=status)
    page = CappedPaginator(inquiries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "inquiry": inquiry,
            "country": country_name(inquiry.country_of_origin) if inquiry.country_of_origin else "",
            "language": spoken_language(inquiry.preferred_language),
        }
        for inquiry in page.object_list
    ]
    counts = selectors.inquiry_counts(request.user)
    context = {
        "filter_form": filter_form,
        "page": page,
        "rows": rows,
        "counts": counts,
        "total": sum(counts.values()),
        "status": status,
        "filter_query": f"status={status}" if status else "",
    }
    return render(request, "portal/inquiry_list.html", context)


def _inquiry_page(
    request: HttpRequest,
    inquiry: Inquiry,
    *,
    form: InquiryUpdateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    audit_record(actor=request.user, action="portal.inquiry_view", obj=inquiry)
    context = {
        "inquiry": inquiry,
        "country": country_name(inquiry.country_of_origin) if inquiry.country_of_origin else "",
        "language": spoken_language(inquiry.preferred_language),
        "form": form
        or InquiryUpdateForm(initial=InquiryUpdateForm.initial_of(inquiry), inquiry=inquiry),
    }
    return no_store(render(request, "portal/inquiry_detail.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def inquiry_detail(request: HttpRequest, inquiry_id: uuid.UUID) -> HttpResponse:
    """The inquiry (GET, audited) and the record of its handling (POST)."""
    inquiry = selectors.inquiry_get(request.user, inquiry_id)
    if request.method == "GET":
        return _inquiry_page(request, inquiry)
    form = InquiryUpdateForm(request.POST, inquiry=inquiry)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.inquiry_update(
                actor=request.user,
                inquiry=inquiry,
                version=data["version"],
                status=data["status"],
                outcome=data["outcome"],
                staff_notes=data["staff_notes"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The inquiry is saved."))
            return redirect("outreach:inquiry-detail", inquiry_id=inquiry.pk)
    return _inquiry_page(request, inquiry, form=form, status=400)


# --- staff: country pages -----------------------------------------------------------------------


def _manage_offices(user: Any) -> list[Office]:
    return list(
        Office.objects.filter(
            pk__in=offices_with(user, Perm.PORTAL_MANAGE), is_active=True
        ).order_by("name")
    )


@login_required
@require_GET
def country_page_list(request: HttpRequest) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.PORTAL_MANAGE):
        raise PermissionDenied
    today = timezone.localdate()
    rows = [
        {
            "page": page,
            "country": country_name(page.country),
            "language": LANGUAGE_NAMES.get(page.language, page.language),
            "overdue": selectors.review_overdue(page, today),
        }
        for page in selectors.country_page_list(request.user)
    ]
    return render(request, "portal/country_page_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def country_page_create(request: HttpRequest) -> HttpResponse:
    offices = _manage_offices(request.user)
    if not offices:
        raise PermissionDenied
    form = CountryPageForm(request.POST if request.method == "POST" else None, offices=offices)
    if request.method == "POST" and form.is_valid():
        try:
            page = services.country_page_create(
                actor=request.user,
                office=form.chosen_office(),
                published=form.cleaned_data["published"],
                **form.values(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The page is saved."))
            return redirect("outreach:country-page-detail", country_page_id=page.pk)
    status = 400 if form.is_bound else 200
    return render(request, "portal/country_page_create.html", {"form": form}, status=status)


def _page_page(
    request: HttpRequest, page: CountryPage, *, form: CountryPageForm | None = None
) -> HttpResponse:
    # After a refused change the form keeps the version it was shown with: saving again is
    # refused again until the user reloads and sees the other change.
    version = posted_version(request.POST) if form is not None else None
    context = {
        "page": page,
        "form_version": version if version is not None else page.version,
        "form": form or CountryPageForm(initial=CountryPageForm.initial_of(page)),
        "overdue": selectors.review_overdue(page),
        "country": country_name(page.country),
        "language": LANGUAGE_NAMES.get(page.language, page.language),
        "public_url": reverse("portal:country-detail", kwargs={"country": page.country})
        + f"?language={page.language}",
    }
    return render(
        request,
        "portal/country_page_detail.html",
        context,
        status=400 if form is not None else 200,
    )


def _to_page(page: CountryPage) -> HttpResponse:
    return redirect("outreach:country-page-detail", country_page_id=page.pk)


@login_required
@require_http_methods(["GET", "POST"])
def country_page_detail(request: HttpRequest, country_page_id: uuid.UUID) -> HttpResponse:
    """The page as staff see it (GET) and the change of its text (POST)."""
    page = selectors.country_page_get(request.user, country_page_id)
    if request.method == "GET":
        return _page_page(request, page)
    form = CountryPageForm(request.POST)
    if form.is_valid():
        try:
            services.country_page_update(
                actor=request.user,
                page=page,
                version=posted_version(request.POST),
                **form.values(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The page is saved."))
            return _to_page(page)
    return _page_page(request, page, form=form)


def _page_act(request: HttpRequest, country_page_id: uuid.UUID, act: Any, done: str) -> Any:
    page = selectors.country_page_get(request.user, country_page_id)
    if not has_perm(request.user, Perm.PORTAL_MANAGE, page.office_id):  # pragma: no cover
        raise Http404
    try:
        act(page)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return _to_page(page)


@login_required
@require_POST
def country_page_publish(request: HttpRequest, country_page_id: uuid.UUID) -> HttpResponse:
    """``published=1`` puts the page on the portal, ``published=0`` takes it off."""
    published = request.POST.get("published") == "1"
    version = posted_version(request.POST)
    return _page_act(
        request,
        country_page_id,
        lambda page: services.country_page_publish(
            actor=request.user, page=page, published=published, version=version
        ),
        _("The page is on the portal.") if published else _("The page is off the portal."),
    )


@login_required
@require_POST
def country_page_review(request: HttpRequest, country_page_id: uuid.UUID) -> HttpResponse:
    version = posted_version(request.POST)
    return _page_act(
        request,
        country_page_id,
        lambda page: services.country_page_review(actor=request.user, page=page, version=version),
        _("The page is marked reviewed today."),
    )
