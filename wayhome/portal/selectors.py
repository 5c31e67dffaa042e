"""Reads of the portal.

Staff: inquiries are seen by users who handle feedback and inquiries in the inquiry's office;
country pages by users who manage the portal in the page's office (``OfficePolicy``; anything
else answers 404). The public: published country pages, active offices (by ``code``, never an
id)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone, translation

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import OfficePolicy
from wayhome.core.countries import COUNTRY_CODES, country_name
from wayhome.portal.models import REVIEW_OVERDUE_DAYS, CountryPage, Inquiry, InquiryStatus

INQUIRIES: OfficePolicy[Inquiry] = OfficePolicy(Inquiry, view=Perm.FEEDBACK_HANDLE)
PAGES: OfficePolicy[CountryPage] = OfficePolicy(CountryPage, view=Perm.PORTAL_MANAGE)


# --- staff --------------------------------------------------------------------------------------


def inquiry_list(user: Any, *, status: str = "") -> QuerySet[Inquiry]:
    """The inquiries to the user's offices, newest first (``status`` narrows them)."""
    queryset = INQUIRIES.filter(user).select_related("office")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")


def inquiry_get(user: Any, inquiry_id: Any) -> Inquiry:
    return INQUIRIES.get_or_404(
        user, inquiry_id, queryset=Inquiry.objects.select_related("office", "handled_by")
    )


def inquiry_counts(user: Any) -> dict[str, int]:
    """How many of the user's inquiries are in each status (every status, zero included)."""
    counts = {status: 0 for status in InquiryStatus.values}
    rows = INQUIRIES.filter(user).order_by().values("status").annotate(n=Count("id"))
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def new_inquiries(user: Any) -> int:
    """The inquiries waiting for a first contact that the user may see (the home page's queue)."""
    return INQUIRIES.filter(user).filter(status=InquiryStatus.NEW).count()


def country_page_list(user: Any) -> QuerySet[CountryPage]:
    return (
        PAGES.filter(user)
        .select_related("office", "reviewed_by")
        .order_by("country", "language", "office__name")
    )


def country_page_get(user: Any, country_page_id: Any) -> CountryPage:
    return PAGES.get_or_404(
        user,
        country_page_id,
        queryset=CountryPage.objects.select_related("office", "reviewed_by"),
    )


# --- the public ---------------------------------------------------------------------------------


def review_overdue(page: CountryPage, today: datetime.date | None = None) -> bool:
    """Not reviewed for more than twelve months."""
    today = today or timezone.localdate()
    return (today - page.last_reviewed).days > REVIEW_OVERDUE_DAYS


def active_offices() -> QuerySet[Office]:
    return Office.objects.filter(is_active=True).order_by("name", "code")


def _published() -> QuerySet[CountryPage]:
    return CountryPage.objects.filter(published=True, office__is_active=True)


def published_countries() -> list[dict[str, Any]]:
    """The countries with a published page, by name in the active language, each with the
    languages its pages are written in."""
    languages: dict[str, set[str]] = {}
    for country, language in _published().values_list("country", "language").distinct():
        languages.setdefault(country, set()).add(language)
    rows = [
        {"country": code, "name": country_name(code), "languages": sorted(found)}
        for code, found in languages.items()
    ]
    return sorted(rows, key=lambda row: (str(row["name"]).casefold(), row["country"]))


def public_page(country: str, language: str | None = None) -> CountryPage | None:
    """The published page for ``country`` in ``language`` (the active language when None),
    else in English, else in any language; the most recently reviewed where several offices
    write one. None for an unknown country or one without a published page."""
    if country not in COUNTRY_CODES:
        return None
    wanted = (language or translation.get_language() or "en").split("-")[0]
    pages = list(
        _published()
        .filter(country=country)
        .select_related("office")
        .order_by("-last_reviewed", "-updated_at", "id")
    )
    for preferred in (wanted, "en"):
        for page in pages:
            if page.language == preferred:
                return page
    return pages[0] if pages else None


def page_languages(country: str) -> list[str]:
    """The languages the country's published pages are written in."""
    return sorted(set(_published().filter(country=country).values_list("language", flat=True)))
