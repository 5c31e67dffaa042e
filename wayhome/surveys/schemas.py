"""The surveys API's schemas (names ``Survey...``). Scores are decimal strings ("0.62") or null
(missing); vocabularies are the models' codes."""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Literal

from ninja import Field, Schema

from wayhome.api.fields import MultiLine, SingleLine

ProgrammeCode = Literal["AVR", "AVRR", "VHR"]
ModeCode = Literal["phone", "visit", "self_completed"]
ConsentCode = Literal["given", "refused", ""]
OutcomeCode = Literal["completed", "refused", "unreachable"]
FollowUpStatusCode = Literal["upcoming", "due", "overdue", "done", "refused"]
GroupByCode = Literal["country", "programme", "cohort"]


# --- instruments ----------------------------------------------------------------------------------


class SurveyVersionSummaryOut(Schema):
    number: int
    status: str
    published_at: datetime.datetime | None
    notes: str


class SurveyInstrumentOut(Schema):
    code: str
    title: str = Field(description="In the request's language (English if missing).")
    published: int | None = Field(description="The number of the published version, if any.")
    versions: list[SurveyVersionSummaryOut]


class SurveyVersionOut(SurveyVersionSummaryOut):
    code: str
    title: str
    weights_are_defaults: bool
    created_at: datetime.datetime
    definition: dict[str, Any] = Field(description="The definition (docs/surveys.md).")


class SurveyVersionIn(Schema):
    definition: dict[str, Any] = Field(
        description="The definition (docs/surveys.md); every problem is listed in the 422."
    )
    notes: MultiLine = Field("", max_length=2000)


# --- schedule -------------------------------------------------------------------------------------


class SurveyScheduleItemOut(Schema):
    id: uuid.UUID
    office_id: uuid.UUID
    programme: str
    instrument: str
    name: str
    days_after_arrival: int
    window_days: int
    active: bool
    version: int

    @staticmethod
    def resolve_instrument(obj: Any) -> str:
        return str(obj.instrument.code)


class SurveyScheduleItemIn(Schema):
    office_id: uuid.UUID
    programme: ProgrammeCode
    instrument: str = Field(max_length=60, examples=["rss"], description="The survey's code.")
    name: SingleLine = Field(min_length=1, max_length=120, examples=["6 months"])
    days_after_arrival: int = Field(ge=0, le=3650, examples=[182])
    window_days: int | None = Field(None, ge=0, le=365, description="Empty: the default.")


class SurveyScheduleItemPatch(Schema):
    version: int = Field(description="The version read; a stale edit is refused with 409.")
    name: SingleLine | None = Field(None, min_length=1, max_length=120)
    days_after_arrival: int | None = Field(None, ge=0, le=3650)
    window_days: int | None = Field(None, ge=0, le=365)
    active: bool | None = None


# --- follow-ups -----------------------------------------------------------------------------------


class SurveyFollowUpOut(Schema):
    case_id: uuid.UUID
    reference: str
    member_id: uuid.UUID
    label: str = Field(description='The returnee on the case: "Principal applicant (1)".')
    schedule_item_id: uuid.UUID
    name: str
    instrument: str
    arrived_on: datetime.date
    due_on: datetime.date
    closes_on: datetime.date = Field(description="Overdue after this day.")
    status: FollowUpStatusCode
    attempts: int
    interview_id: uuid.UUID | None


class SurveyFollowUpQuery(Schema):
    status: FollowUpStatusCode | None = Field(
        None, description="One status; none: upcoming, due and overdue."
    )
    programme: ProgrammeCode | None = None
    instrument: str | None = Field(None, max_length=60)


# --- interviews -----------------------------------------------------------------------------------


class SurveyScoreSetOut(Schema):
    id: uuid.UUID
    version: int = Field(description="The version of the instrument it was computed under.")
    current: bool
    reason: str
    note: str
    dimensions: dict[str, str | None]
    composite: str | None
    indicators: dict[str, str | None]
    band: str | None
    answered: int
    questions: int
    computed_at: datetime.datetime
    computed_by_id: uuid.UUID | None


class SurveyInterviewSummaryOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    member_id: uuid.UUID
    schedule_item_id: uuid.UUID | None
    instrument: str
    version: int
    mode: str
    conducted_on: datetime.date
    consent: str
    outcome: str
    composite: str | None = Field(description="Of the current score set.")
    office_id: uuid.UUID


class SurveyInterviewOut(SurveyInterviewSummaryOut):
    interviewer_id: uuid.UUID | None
    recorded_by_id: uuid.UUID | None
    answers: dict[str, str]
    notes: str
    score_sets: list[SurveyScoreSetOut] = Field(description="The current first.")


class SurveyInterviewIn(Schema):
    member_id: uuid.UUID = Field(description="A returnee of the case.")
    instrument: str | None = Field(
        None, max_length=60, description="The survey's code (or that of the follow-up)."
    )
    schedule_item_id: uuid.UUID | None = None
    mode: ModeCode
    interviewer_id: uuid.UUID | None = Field(None, description="Empty: the user.")
    conducted_on: datetime.date
    consent: ConsentCode = Field("", description="Empty when the person was not reached.")
    outcome: OutcomeCode
    answers: dict[str, str] = Field(
        default_factory=dict,
        max_length=500,
        description="Question code -> option value; kept only when completed.",
    )
    notes: MultiLine = Field("", max_length=2000)


class SurveyRecomputeIn(Schema):
    version: int = Field(ge=1, examples=[1], description="A published or superseded version.")
    reason: MultiLine = Field(min_length=1, max_length=2000, examples=["Weights revised"])


# --- trajectories and results ---------------------------------------------------------------------


class SurveyPointOut(Schema):
    conducted_on: datetime.date
    interview_id: uuid.UUID
    version: int
    dimensions: dict[str, str | None]
    composite: str | None


class SurveyTrajectoryOut(Schema):
    member_id: uuid.UUID
    label: str
    instrument: str
    points: list[SurveyPointOut]


class SurveyResultsQuery(Schema):
    instrument: str = Field("rss", max_length=60)
    dimension: str = Field("composite", max_length=60)
    by: GroupByCode = "country"
    latest: bool = Field(False, description="Only each returnee's latest interview.")


class SurveyGroupOut(Schema):
    key: str = Field(description="Country code, programme or cohort (2026-Q1); '' not recorded.")
    count: int | None = Field(description="null: withheld by disclosure control.")
    mean: str | None
    median: str | None
    bins: list[int | None] = Field(
        description="Counts in [0,0.2), [0.2,0.4), ..., [0.8,1]; null: withheld (fewer than k)."
    )


class SurveyResultsOut(Schema):
    instrument: str
    dimension: str
    by: str
    overall: SurveyGroupOut
    groups: list[SurveyGroupOut]
