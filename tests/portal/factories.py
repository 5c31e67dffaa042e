"""Portal records for tests. ``CountryPageFactory`` and ``InquiryFactory`` take ``office=`` (the
office maintaining the page, the office the inquiry is addressed to): the isolation test makes
them for the ``country_page_id`` and ``inquiry_id`` routes. Pages are published by default."""

from __future__ import annotations

import factory
from django.utils import timezone

from tests.factories import OfficeFactory
from wayhome.core.countries import COUNTRY_CODES
from wayhome.portal.models import BestTime, Channel, CountryPage, Inquiry, InquiryStatus

_COUNTRIES = sorted(COUNTRY_CODES)


class CountryPageFactory(factory.django.DjangoModelFactory[CountryPage]):
    class Meta:
        model = CountryPage

    office = factory.SubFactory(OfficeFactory)
    country = factory.Sequence(lambda n: _COUNTRIES[n % len(_COUNTRIES)])
    language = "en"
    title = factory.LazyAttribute(lambda page: f"Returning to {page.country}")
    assistance = "Reception at the airport, then a reintegration plan made with you."
    practical_information = "Bring your travel document."
    last_reviewed = factory.LazyFunction(timezone.localdate)
    published = True


class InquiryFactory(factory.django.DjangoModelFactory[Inquiry]):
    class Meta:
        model = Inquiry

    office = factory.SubFactory(OfficeFactory)
    name = "Fatou Diallo"
    phone = "+221 77 555 0100"
    email = "fatou@example.org"
    message = "I would like to know more about going back to Dakar."
    preferred_language = "fr"
    country_of_origin = "SN"
    best_time = BestTime.MORNING
    callback_consent = True
    status = InquiryStatus.NEW
    channel = Channel.PORTAL
