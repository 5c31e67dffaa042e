"""Retention over the API, under /api/v1/retention: rules (list, create, change), legal holds
(list, place, lift), runs and their reports, and a dry run on demand. Anyone without
``data.protection`` in the office concerned gets 404 or an empty list. Holds carry no reason
here: it is read on the page, where the read is audited with the hold."""

import datetime
import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import offices_with
from wayhome.api.errors import run_service
from wayhome.api.fields import api_user
from wayhome.api.schemas import Error
from wayhome.audit.services import audit_record
from wayhome.cases.models import Case
from wayhome.core.paging import CappedLimitOffset
from wayhome.retention import selectors
from wayhome.retention.models import LegalHold, RetentionItem, RetentionRule, RetentionRun
from wayhome.retention.services import (
    hold_lift,
    hold_place,
    retention_run,
    rule_create,
    rule_update,
)

router = Router(tags=["retention"])

ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


class RuleOut(Schema):
    id: uuid.UUID
    version: int
    office_id: uuid.UUID
    record_type: str
    programme: str = Field(description='A programme code, or "" for every programme.')
    amount: int
    unit: str = Field(description='"days" or "years"')
    active: bool


class RuleIn(Schema):
    office_id: uuid.UUID
    record_type: str = Field("closed_cases", examples=["closed_cases"])
    programme: str = Field("", description='A programme code, or "" for every programme.')
    amount: int = Field(examples=[5])
    unit: str = Field("years", description='"days" or "years"')


class RuleUpdateIn(Schema):
    amount: int
    unit: str
    active: bool = True
    version: int = Field(description="The version read: a stale one answers 409.")


class HoldOut(Schema):
    id: uuid.UUID
    version: int
    case_id: uuid.UUID
    office_id: uuid.UUID
    placed_by_id: uuid.UUID
    placed_at: datetime.datetime
    lifted_by_id: uuid.UUID | None
    lifted_at: datetime.datetime | None


class HoldIn(Schema):
    case_id: uuid.UUID
    reason: str = Field(min_length=1, max_length=2000, description="Stored encrypted.")


class HoldLiftIn(Schema):
    version: int


class RunOut(Schema):
    id: uuid.UUID
    office_id: uuid.UUID
    dry_run: bool
    status: str
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    as_of: datetime.date
    cases: int = Field(description="Cases anonymised (or, for a dry run, due).")
    held: int = Field(description="Cases due but kept by a legal hold.")
    rows: int
    counts: dict[str, dict[str, int]] = Field(description="Per rule id: cases, held, rows.")


class ItemOut(Schema):
    case_id: uuid.UUID | None
    reference: str = Field(description="The case's reference, else the kind of record and id.")
    object_type: str = Field(description='"cases.case", "portal.inquiry" or "feedback.feedback"')
    object_id: uuid.UUID | None
    rule_id: uuid.UUID
    closed_on: datetime.date
    outcome: str
    rows: int

    @staticmethod
    def resolve_reference(obj: RetentionItem) -> str:
        return obj.label


class DryRunIn(Schema):
    office_id: uuid.UUID


def _office(user: Any, office_id: uuid.UUID) -> Office:
    if office_id not in offices_with(user, Perm.DATA_PROTECTION):
        raise Http404
    return Office.objects.get(pk=office_id)


@router.get("/rules", response=list[RuleOut], summary="Retention rules of my offices")
@paginate(CappedLimitOffset)
def list_rules(request: HttpRequest) -> QuerySet[RetentionRule]:
    user = api_user(request)
    audit_record(actor=user, action="retention.rule_list", details={"api": True})
    return selectors.rule_list(user).order_by("office__name", "record_type", "programme", "id")


@router.post("/rules", response={201: RuleOut, **ERRORS}, summary="Add a rule")
def create_rule(request: HttpRequest, payload: RuleIn) -> Any:
    user = api_user(request)
    office = _office(user, payload.office_id)
    rule = run_service(
        lambda: rule_create(
            actor=user,
            office=office,
            programme=payload.programme,
            record_type=payload.record_type,
            amount=payload.amount,
            unit=payload.unit,
        )
    )
    return Status(201, rule)


@router.get("/rules/{retention_rule_id}", response={200: RuleOut, **ERRORS}, summary="A rule")
def get_rule(request: HttpRequest, retention_rule_id: uuid.UUID) -> Any:
    return selectors.rule_get(api_user(request), retention_rule_id)


@router.put("/rules/{retention_rule_id}", response={200: RuleOut, **ERRORS}, summary="Change")
def update_rule(request: HttpRequest, retention_rule_id: uuid.UUID, payload: RuleUpdateIn) -> Any:
    user = api_user(request)
    rule = selectors.rule_get(user, retention_rule_id)
    return run_service(
        lambda: rule_update(
            actor=user,
            rule=rule,
            amount=payload.amount,
            unit=payload.unit,
            active=payload.active,
            version=payload.version,
        )
    )


@router.get("/holds", response=list[HoldOut], summary="Legal holds of my offices")
@paginate(CappedLimitOffset)
def list_holds(request: HttpRequest) -> QuerySet[LegalHold]:
    user = api_user(request)
    audit_record(actor=user, action="retention.hold_list", details={"api": True})
    return selectors.hold_list(user)


@router.post("/holds", response={201: HoldOut, **ERRORS}, summary="Place a legal hold")
def place_hold(request: HttpRequest, payload: HoldIn) -> Any:
    user = api_user(request)
    case = Case.objects.filter(
        pk=payload.case_id, office__in=offices_with(user, Perm.DATA_PROTECTION)
    ).first()
    if case is None:
        raise Http404
    return Status(
        201, run_service(lambda: hold_place(actor=user, case=case, reason=payload.reason))
    )


@router.get("/holds/{legal_hold_id}", response={200: HoldOut, **ERRORS}, summary="A hold")
def get_hold(request: HttpRequest, legal_hold_id: uuid.UUID) -> Any:
    user = api_user(request)
    hold = selectors.hold_get(user, legal_hold_id)
    audit_record(
        actor=user,
        action="retention.hold_view",
        obj=hold,
        details={"api": True, "case": str(hold.case_id)},
    )
    return hold


@router.post(
    "/holds/{legal_hold_id}/lift", response={200: HoldOut, **ERRORS}, summary="Lift a hold"
)
def lift_hold(request: HttpRequest, legal_hold_id: uuid.UUID, payload: HoldLiftIn) -> Any:
    user = api_user(request)
    hold = selectors.hold_get(user, legal_hold_id)
    return run_service(lambda: hold_lift(actor=user, hold=hold, version=payload.version))


@router.get("/runs", response=list[RunOut], summary="Retention runs of my offices")
@paginate(CappedLimitOffset)
def list_runs(request: HttpRequest) -> QuerySet[RetentionRun]:
    user = api_user(request)
    audit_record(actor=user, action="retention.run_list", details={"api": True})
    return selectors.run_list(user)


@router.get("/runs/{retention_run_id}", response={200: RunOut, **ERRORS}, summary="A run")
def get_run(request: HttpRequest, retention_run_id: uuid.UUID) -> Any:
    user = api_user(request)
    run = selectors.run_get(user, retention_run_id)
    audit_record(actor=user, action="retention.run_view", obj=run, details={"api": True})
    return run


@router.get(
    "/runs/{retention_run_id}/items",
    response=list[ItemOut],
    summary="The cases of a run (its report): case references, rules, outcomes; no names",
)
@paginate(CappedLimitOffset)
def list_run_items(request: HttpRequest, retention_run_id: uuid.UUID) -> QuerySet[RetentionItem]:
    user = api_user(request)
    run = selectors.run_get(user, retention_run_id)
    audit_record(actor=user, action="retention.run_view", obj=run, details={"api": True})
    return selectors.run_items(run)


@router.post("/dry-runs", response={201: RunOut, **ERRORS}, summary="Run a dry run now")
def dry_run(request: HttpRequest, payload: DryRunIn) -> Any:
    """The report of what tonight's run would do in this office, changing nothing."""
    user = api_user(request)
    office = _office(user, payload.office_id)
    return Status(201, run_service(lambda: retention_run(actor=user, office=office, dry_run=True)))
