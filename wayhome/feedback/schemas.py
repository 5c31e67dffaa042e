"""The feedback API's schemas: the public side (``public_api.py``, names ``PublicFeedback...``)
and the staff side (``api.py``, names ``Feedback...``). Vocabularies are the models' codes (a
test keeps each ``...Code`` equal to its model's ``TextChoices``)."""

from __future__ import annotations

import datetime
import uuid
from typing import Literal

from ninja import Field, Schema

from wayhome.api.fields import MultiLine, SingleLine

KindCode = Literal["feedback", "complaint", "misconduct"]
MisconductTypeCode = Literal["sexual_exploitation_abuse", "fraud_corruption", "other_misconduct"]
StatusCode = Literal["received", "triaged", "in_progress", "answered", "closed"]
TriageStatusCode = Literal["triaged", "in_progress"]
CategoryCode = Literal[
    "assistance",
    "counselling",
    "travel",
    "reintegration",
    "medical",
    "staff_conduct",
    "data_protection",
    "other",
]
PriorityCode = Literal["low", "normal", "high", "urgent"]
ChannelCode = Literal["portal", "api", "staff"]


# --- public -------------------------------------------------------------------------------------


class PublicFeedbackIn(Schema):
    office_code: SingleLine = Field(
        min_length=1, max_length=32, description="The office concerned, by its public code."
    )
    kind: KindCode
    misconduct_type: MisconductTypeCode | None = Field(
        None, description="Required when ``kind`` is misconduct."
    )
    message: MultiLine = Field(min_length=1, max_length=5000)
    anonymous: bool = True
    name: SingleLine = Field("", max_length=200, description="Only when not anonymous.")
    contact: SingleLine = Field("", max_length=200, description="Only when not anonymous.")
    language: Literal["en", "fr", "es", "ar", ""] = ""


class PublicFeedbackOut(Schema):
    reference: str = Field(examples=["FB-7KQM-2XDA"])
    secret: str = Field(description="Shown once, never stored: keep it.")


class PublicStatusIn(Schema):
    reference: str = Field(min_length=1, max_length=40, examples=["FB-7KQM-2XDA"])
    secret: str = Field(min_length=1, max_length=40, examples=["K7PQ-X3MZ-A8DD"])


class PublicStatusOut(Schema):
    status: StatusCode
    status_label: str
    received_on: datetime.date
    answered_on: datetime.date | None
    response: str


# --- staff --------------------------------------------------------------------------------------


class FeedbackFiltersIn(Schema):
    status: StatusCode | None = None
    kind: KindCode | None = None
    category: CategoryCode | None = None
    priority: PriorityCode | None = None
    office_id: uuid.UUID | None = None
    overdue: bool = False


class FeedbackSummaryOut(Schema):
    """A report in a list: no message, no name."""

    id: uuid.UUID
    reference: str
    office_id: uuid.UUID
    kind: str
    misconduct_type: str
    status: str
    category: str
    priority: str
    due_on: datetime.date
    overdue: bool
    assigned_to_id: uuid.UUID | None
    channel: str
    anonymous: bool
    submitted_at: datetime.datetime
    version: int


class FeedbackNoteOut(Schema):
    id: uuid.UUID
    author_id: uuid.UUID | None
    text: str
    created_at: datetime.datetime


class FeedbackOut(FeedbackSummaryOut):
    name: str
    contact: str
    message: str
    language: str
    response: str
    responded_at: datetime.datetime | None
    responded_by_id: uuid.UUID | None
    closed_at: datetime.datetime | None
    notes: list[FeedbackNoteOut]


class FeedbackVersionIn(Schema):
    version: int = Field(ge=1, description="The version read: a stale one answers 409.")


class FeedbackTriageIn(FeedbackVersionIn):
    category: CategoryCode
    priority: PriorityCode
    due_on: datetime.date
    status: TriageStatusCode = "triaged"
    assigned_to_id: uuid.UUID | None = None


class FeedbackRespondIn(FeedbackVersionIn):
    response: MultiLine = Field(min_length=1, max_length=5000)


class FeedbackNoteIn(Schema):
    text: MultiLine = Field(min_length=1, max_length=5000)


class FeedbackRouteIn(FeedbackVersionIn):
    kind: KindCode = Field(
        description="misconduct: into the independent queue; feedback or complaint: back to "
        "the office."
    )
    misconduct_type: MisconductTypeCode | None = None
    reason: MultiLine = Field(min_length=1, max_length=5000)


class FeedbackCountOut(Schema):
    code: str
    label: str
    count: int


class FeedbackStatisticsOut(Schema):
    total: int
    overdue: int
    answered: int
    median_days_to_answer: float | None
    by_kind: list[FeedbackCountOut]
    by_category: list[FeedbackCountOut]
    by_status: list[FeedbackCountOut]
    by_month: list[FeedbackCountOut]
