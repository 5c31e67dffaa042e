"""The public portal over the API, under /api/v1/public/... (shared with the feedback app's
public operations): active offices by code, the countries with a published page, a country's
page, and "I would like to be contacted".

No token (``auth=None``): every operation is rate-limited per client address and answers 429 in
the API's error shape when over. Offices are named by their ``code``, never by an id; nothing
returned here is personal. A contact request answers only ``{"received": true}``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router, Status

from wayhome.accounts.models import Office
from wayhome.api.errors import error_response, invalid_field, run_service
from wayhome.api.schemas import Error
from wayhome.core.countries import COUNTRY_CODES, country_name
from wayhome.core.ratelimit import Limit, over
from wayhome.portal import selectors, services
from wayhome.portal.models import Channel
from wayhome.portal.schemas import (
    PageLanguageCode,
    PublicCountryOut,
    PublicCountryPageOut,
    PublicInquiryIn,
    PublicOfficeOut,
    PublicReceivedOut,
)
from wayhome.portal.views import CONTACT_SCOPE, contact_limit

router = Router(tags=["public portal"])

READ_SCOPE = "portal.api_read"
LIMITED: dict[int, Any] = {429: Error}
#: How long to wait after a 429 (the windows are an hour long).
RETRY_AFTER = "3600"


def read_limit() -> Limit:
    """Reads are cheap and the same for everyone: a generous limit per client address."""
    return Limit(int(getattr(settings, "PUBLIC_API_READ_LIMIT", 600)), 3600)


def _too_many() -> HttpResponse:
    response = error_response(429)
    response["Retry-After"] = RETRY_AFTER
    return response


def _office_out(office: Office) -> dict[str, Any]:
    return {"code": office.code, "name": office.name, "country": office.country}


@router.get(
    "/offices",
    auth=None,
    response={200: list[PublicOfficeOut], **LIMITED},
    summary="The offices a person may ask to be contacted by",
)
def list_offices(request: HttpRequest) -> Any:
    """Active offices by name; choose one by its ``code``."""
    if over(request, READ_SCOPE, read_limit()):
        return _too_many()
    return [_office_out(office) for office in selectors.active_offices()]


@router.get(
    "/countries",
    auth=None,
    response={200: list[PublicCountryOut], **LIMITED},
    summary="The countries of origin with a published page",
)
def list_countries(request: HttpRequest) -> Any:
    """By name in the language of the request (``Accept-Language``)."""
    if over(request, READ_SCOPE, read_limit()):
        return _too_many()
    return selectors.published_countries()


@router.get(
    "/countries/{country}",
    auth=None,
    response={200: PublicCountryPageOut, 404: Error, 422: Error, **LIMITED},
    summary="A country's page: assistance available and practical information",
)
def get_country(
    request: HttpRequest, country: str, language: PageLanguageCode | None = None
) -> Any:
    """In ``language``, else the language of the request, else English, else any published
    one (``language`` says which). 404 for an unknown country or one without a published
    page."""
    if over(request, READ_SCOPE, read_limit()):
        return _too_many()
    code = country.upper()
    page = selectors.public_page(code, language) if code in COUNTRY_CODES else None
    if page is None:
        raise Http404
    return {
        "country": page.country,
        "country_name": country_name(page.country),
        "language": page.language,
        "title": page.title,
        "assistance": page.assistance,
        "practical_information": page.practical_information,
        "last_reviewed": page.last_reviewed,
        "review_overdue": selectors.review_overdue(page),
        "office": _office_out(page.office),
        "languages": selectors.page_languages(page.country),
    }


@router.post(
    "/inquiries",
    auth=None,
    response={201: PublicReceivedOut, 422: Error, **LIMITED},
    summary="Ask an office to contact you (with your consent to be called back)",
)
def create_inquiry(request: HttpRequest, payload: PublicInquiryIn) -> Any:
    """Creates an inquiry in the chosen office's work queue. ``callback_consent`` must be true,
    and a ``phone`` or an ``email`` given. Answers only that it was received (201), or 422 with
    the fields to correct; nothing is saved then. Shares its limit with the portal's form."""
    if over(request, CONTACT_SCOPE, contact_limit()):
        return _too_many()
    office = Office.objects.filter(code=payload.office, is_active=True).first()
    if office is None:
        raise invalid_field("office", "Choose one of the offices listed at /public/offices.")
    values = payload.dict(exclude={"office"})
    run_service(lambda: services.inquiry_submit(office=office, channel=Channel.API, **values))
    return Status(201, {"received": True})
