"""The staff side of the portal over the API, under /api/v1/portal/...: the inquiries of the
user's offices and their handling, and the country pages the user's offices maintain.

The same services, selectors and rules as the pages: an inquiry is seen by users who handle
feedback and inquiries in its office, a country page by users who manage the portal in its
office; anything else answers 404. Lists hold no personal data; reading one inquiry is audited
("portal.inquiry_view"). Bad input answers 422 with field errors and saves nothing; a stale
``version`` answers 409.
"""

import uuid
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import offices_with
from wayhome.api.errors import invalid_field, run_service
from wayhome.api.fields import api_user
from wayhome.api.schemas import Error
from wayhome.audit.services import audit_record
from wayhome.core.paging import CappedLimitOffset
from wayhome.portal import selectors, services
from wayhome.portal.models import CountryPage, Inquiry
from wayhome.portal.schemas import (
    InquiryStatusCode,
    PortalCountryPageIn,
    PortalCountryPageOut,
    PortalCountryPagePut,
    PortalInquiryOut,
    PortalInquiryPatch,
    PortalInquirySummaryOut,
)

router = Router(tags=["portal"])

ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Error}
CONFLICT: dict[int, Any] = {409: Error}


# --- inquiries ----------------------------------------------------------------------------------


@router.get(
    "/inquiries",
    response=list[PortalInquirySummaryOut],
    summary="The inquiries to the user's offices, newest first (no personal data)",
)
@paginate(CappedLimitOffset)
def list_inquiries(
    request: HttpRequest, status: InquiryStatusCode | None = None
) -> QuerySet[Inquiry]:
    """Narrowed by ``status``; paged with ``limit`` and ``offset``. Read one to see the
    person's name, contacts and message."""
    return selectors.inquiry_list(api_user(request), status=status or "")


@router.get(
    "/inquiries/{inquiry_id}",
    response={200: PortalInquiryOut, **ERRORS},
    summary="An inquiry with the person's details (the read is audited)",
)
def get_inquiry(request: HttpRequest, inquiry_id: uuid.UUID) -> Any:
    user = api_user(request)
    inquiry = selectors.inquiry_get(user, inquiry_id)
    audit_record(actor=user, action="portal.inquiry_view", obj=inquiry)
    return inquiry


@router.patch(
    "/inquiries/{inquiry_id}",
    response={200: PortalInquiryOut, **CONFLICT, **ERRORS},
    summary="Record the handling of an inquiry: contacted, outcome, notes, closed",
)
def update_inquiry(request: HttpRequest, inquiry_id: uuid.UUID, payload: PortalInquiryPatch) -> Any:
    """``version`` must be the one read (409 otherwise). Closing needs an outcome."""
    user = api_user(request)
    inquiry = selectors.inquiry_get(user, inquiry_id)
    data = payload.dict(exclude={"version"}, exclude_unset=True)
    for key, value in data.items():
        if value is None:
            raise invalid_field(key, "This field may not be null.", "null")
    updated: Inquiry = run_service(
        lambda: services.inquiry_update(
            actor=user, inquiry=inquiry, version=payload.version, **data
        )
    )
    return updated


# --- country pages ------------------------------------------------------------------------------


@router.get(
    "/country-pages",
    response=list[PortalCountryPageOut],
    summary="The country pages the user's offices maintain",
)
@paginate(CappedLimitOffset)
def list_country_pages(request: HttpRequest) -> QuerySet[CountryPage]:
    """By country and language; paged with ``limit`` and ``offset``."""
    return selectors.country_page_list(api_user(request))


@router.post(
    "/country-pages",
    response={201: PortalCountryPageOut, **ERRORS},
    summary="Write a country page for one of the user's offices",
)
def create_country_page(request: HttpRequest, payload: PortalCountryPageIn) -> Status:
    """In an office where the user manages the portal (403 otherwise). One page per office,
    country and language. The page counts as reviewed today."""
    user = api_user(request)
    office = Office.objects.filter(
        pk=payload.office_id, pk__in=offices_with(user, Perm.PORTAL_MANAGE)
    ).first()
    if office is None:
        raise invalid_field("office_id", "Choose one of your offices.", "unknown")
    values = payload.dict(exclude={"office_id"})
    page: CountryPage = run_service(
        lambda: services.country_page_create(actor=user, office=office, **values)
    )
    return Status(201, page)


@router.get(
    "/country-pages/{country_page_id}",
    response={200: PortalCountryPageOut, **ERRORS},
    summary="A country page of one of the user's offices",
)
def get_country_page(request: HttpRequest, country_page_id: uuid.UUID) -> Any:
    return selectors.country_page_get(api_user(request), country_page_id)


@router.put(
    "/country-pages/{country_page_id}",
    response={200: PortalCountryPageOut, **CONFLICT, **ERRORS},
    summary="Replace a country page's text, publish or unpublish it, mark it reviewed",
)
def replace_country_page(
    request: HttpRequest, country_page_id: uuid.UUID, payload: PortalCountryPagePut
) -> Any:
    """``version`` must be the one read (409 otherwise). The text, publication and review are
    saved together or not at all."""
    user = api_user(request)
    page = selectors.country_page_get(user, country_page_id)
    values = payload.dict(exclude={"version", "published", "mark_reviewed"})

    def replace() -> CountryPage:
        with transaction.atomic():
            current = services.country_page_update(
                actor=user, page=page, version=payload.version, **values
            )
            current = services.country_page_publish(
                actor=user, page=current, published=payload.published
            )
            if payload.mark_reviewed:
                current = services.country_page_review(actor=user, page=current)
            return current

    return run_service(replace)
