"""Schemas of the portal's API: the public operations (``public_api.py``, names ``Public...``:
offices by code, country pages, the contact request) and the staff side (``api.py``, names
``Portal...``: inquiries and country pages). Vocabularies are the models' codes (a test keeps
each ``...Code`` equal to its model's ``TextChoices``)."""

from __future__ import annotations

import datetime
import uuid
from typing import Literal

from ninja import Field, Schema

from wayhome.api.fields import MultiLine, SingleLine

InquiryStatusCode = Literal["new", "contacted", "closed"]
OutcomeCode = Literal["wants_to_apply", "information_only", "unreachable", "not_eligible", "other"]
BestTimeCode = Literal["any", "morning", "afternoon", "evening"]
ChannelCode = Literal["portal", "api"]
PageLanguageCode = Literal["en", "fr", "es", "ar"]

COUNTRY_HELP = "ISO 3166-1 alpha-2 code."


# --- public -------------------------------------------------------------------------------------


class PublicOfficeOut(Schema):
    code: str = Field(examples=["de-ber"], description="Give this code to choose the office.")
    name: str = Field(examples=["Berlin"])
    country: str = Field(examples=["DE"], description=COUNTRY_HELP)


class PublicCountryOut(Schema):
    country: str = Field(examples=["NG"], description=COUNTRY_HELP)
    name: str = Field(examples=["Nigeria"], description="In the language of the request.")
    languages: list[str] = Field(
        examples=[["en", "fr"]], description="The languages its pages are written in."
    )


class PublicCountryPageOut(Schema):
    country: str = Field(examples=["NG"], description=COUNTRY_HELP)
    country_name: str = Field(examples=["Nigeria"])
    language: str = Field(
        examples=["en"],
        description="The page's language: the one asked for, else English, else another.",
    )
    title: str = Field(examples=["Returning to Nigeria"])
    assistance: str = Field(examples=["Reception at the airport in Lagos..."])
    practical_information: str = Field(examples=["Bring your travel document..."])
    last_reviewed: datetime.date = Field(examples=["2025-01-15"])
    review_overdue: bool = Field(
        examples=[False], description="Not reviewed for more than twelve months."
    )
    office: PublicOfficeOut = Field(description="The office maintaining the page.")
    languages: list[str] = Field(
        examples=[["en", "fr"]], description="Every language the country's pages are written in."
    )


class PublicInquiryIn(Schema):
    """ "I would like to be contacted". Give a phone number, an e-mail address, or both."""

    office: str = Field(
        min_length=1, max_length=32, examples=["de-ber"], description="An office's code."
    )
    name: SingleLine = Field(min_length=1, max_length=200, examples=["Amina"])
    phone: SingleLine = Field("", max_length=40, examples=["+49 30 5555 0100"])
    email: SingleLine = Field("", max_length=254, examples=["amina@example.org"])
    preferred_language: str = Field(
        "", max_length=8, examples=["ha"], description="ISO 639 code of the language for the call."
    )
    country_of_origin: str = Field("", max_length=2, examples=["NG"], description=COUNTRY_HELP)
    best_time: BestTimeCode = Field("any", examples=["morning"])
    message: MultiLine = Field("", max_length=2000, examples=["I would like to know more."])
    callback_consent: bool = Field(
        examples=[True],
        description="Must be true: the person agrees that the office calls or writes to them.",
    )


class PublicReceivedOut(Schema):
    received: bool = Field(examples=[True])


# --- staff --------------------------------------------------------------------------------------


class PortalInquirySummaryOut(Schema):
    """An inquiry in a list: no name, no contact, no message (read one to see them)."""

    id: uuid.UUID
    office_id: uuid.UUID
    status: InquiryStatusCode
    outcome: str = Field(description="An OutcomeCode, or empty.")
    preferred_language: str
    country_of_origin: str
    best_time: BestTimeCode
    channel: ChannelCode
    created_at: datetime.datetime
    version: int


class PortalInquiryOut(PortalInquirySummaryOut):
    name: str
    phone: str
    email: str
    message: str
    staff_notes: str
    callback_consent: bool
    handled_by_id: uuid.UUID | None
    contacted_at: datetime.datetime | None
    closed_at: datetime.datetime | None


class PortalInquiryPatch(Schema):
    version: int = Field(
        examples=[1], description="The version read; a stale edit is refused with 409."
    )
    status: Literal["contacted", "closed"] | None = Field(
        None, examples=["contacted"], description="Closing needs an outcome."
    )
    outcome: OutcomeCode | None = Field(None, examples=["wants_to_apply"])
    staff_notes: MultiLine | None = Field(None, max_length=5000, examples=["Called, will visit."])


class PortalCountryPageOut(Schema):
    id: uuid.UUID
    office_id: uuid.UUID
    country: str
    language: str
    title: str
    assistance: str
    practical_information: str
    last_reviewed: datetime.date
    reviewed_by_id: uuid.UUID | None
    published: bool
    version: int


class PortalCountryPageIn(Schema):
    office_id: uuid.UUID = Field(description="One of your offices, where you manage the portal.")
    country: str = Field(min_length=2, max_length=2, examples=["NG"], description=COUNTRY_HELP)
    language: PageLanguageCode = Field(examples=["en"])
    title: SingleLine = Field(min_length=1, max_length=200, examples=["Returning to Nigeria"])
    assistance: MultiLine = Field(
        min_length=1, max_length=10000, examples=["Reception at the airport in Lagos..."]
    )
    practical_information: MultiLine = Field(
        "", max_length=10000, examples=["Bring your travel document..."]
    )
    published: bool = Field(False, examples=[False])


class PortalCountryPagePut(Schema):
    """The whole page. ``mark_reviewed`` records that you checked it all today."""

    version: int = Field(
        examples=[1], description="The version read; a stale edit is refused with 409."
    )
    country: str = Field(min_length=2, max_length=2, examples=["NG"], description=COUNTRY_HELP)
    language: PageLanguageCode = Field(examples=["en"])
    title: SingleLine = Field(min_length=1, max_length=200, examples=["Returning to Nigeria"])
    assistance: MultiLine = Field(
        min_length=1, max_length=10000, examples=["Reception at the airport in Lagos..."]
    )
    practical_information: MultiLine = Field(
        "", max_length=10000, examples=["Bring your travel document..."]
    )
    published: bool = Field(examples=[True])
    mark_reviewed: bool = Field(False, examples=[False])
