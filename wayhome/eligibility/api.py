"""Eligibility over the REST API: rule sets (read by every token; new versions by administrators)
and a case's decisions (404 for a case of another office).

Field errors answer 422 (``django_validation_error``); a decision that cannot be taken or
overridden in the case's state answers 409; a user without the right answers 403 on a record
they may see.
"""

import datetime
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from wayhome.api.errors import django_validation_error
from wayhome.api.schemas import Error
from wayhome.cases.models import Programme
from wayhome.cases.selectors import case_get
from wayhome.eligibility.models import EligibilityDecision, RuleSet
from wayhome.eligibility.selectors import decision_list, ruleset_get, ruleset_list
from wayhome.eligibility.services import eligibility_decide, eligibility_override, ruleset_create

router = Router(tags=["eligibility"])

ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
EXAMPLE_RULES = {
    "allowed_categories": {"categories": ["stranded", "irregular"]},
    "allowed_destinations": {"countries": ["NG"], "excluded_regions": []},
    "excluded_categories": {"categories": ["regular"]},
    "not_assisted_within_years": {"years": 5},
    "required_documents": {"kinds": ["passport"], "match": "all"},
}


class RuleSetOut(Schema):
    programme: str
    version: int
    rules: dict[str, Any]
    note: str
    created_at: datetime.datetime


class RuleSetIn(Schema):
    rules: dict[str, Any] = Field(
        description="Rule kind -> its settings; see the example.", examples=[EXAMPLE_RULES]
    )
    note: str = Field(min_length=1, max_length=500, description="What changed and why.")


class RuleResultOut(Schema):
    kind: str
    passed: bool
    message: str
    subject: str = Field("", description='The traveller concerned, e.g. "Spouse or partner (2)".')


class DecisionOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    programme: str
    ruleset_version: int
    outcome: str
    positive: bool
    results: list[RuleResultOut]
    decided_at: datetime.datetime
    decided_by_id: uuid.UUID | None
    override: bool
    override_reason: str
    overridden_by_id: uuid.UUID | None
    overridden_at: datetime.datetime | None

    @staticmethod
    def resolve_programme(obj: EligibilityDecision) -> str:
        return obj.ruleset.programme

    @staticmethod
    def resolve_ruleset_version(obj: EligibilityDecision) -> int:
        return obj.ruleset.version


class OverrideIn(Schema):
    reason: str = Field(min_length=1, max_length=2000, description="Why the case is assisted.")


def _programme(code: str) -> str:
    if code not in Programme.values:
        raise Http404
    return code


@router.get("/rulesets", response=list[RuleSetOut], summary="Every version of every programme")
def list_rulesets(request: HttpRequest) -> Any:
    return ruleset_list()


@router.get(
    "/rulesets/{programme}", response={200: RuleSetOut, **ERRORS}, summary="The active rules"
)
def get_ruleset(request: HttpRequest, programme: str) -> RuleSet:
    return ruleset_get(_programme(programme))


@router.post(
    "/rulesets/{programme}",
    response={201: RuleSetOut, **ERRORS},
    summary="Save a new version of a programme's rules (administrators)",
)
def create_ruleset(request: HttpRequest, programme: str, payload: RuleSetIn) -> Status:
    user = request.auth.user  # type: ignore[attr-defined]
    try:
        ruleset = ruleset_create(
            actor=user, programme=_programme(programme), rules=payload.rules, note=payload.note
        )
    except PermissionDenied:
        raise HttpError(403, "") from None
    except DjangoValidationError as exc:
        if getattr(exc, "code", None) == "stale":
            raise HttpError(409, str(exc.message)) from None
        raise django_validation_error(exc) from None
    return Status(201, ruleset)


@router.get(
    "/cases/{case_id}/decisions",
    response={200: list[DecisionOut], **ERRORS},
    summary="A case's eligibility decisions, newest first",
)
def list_decisions(request: HttpRequest, case_id: uuid.UUID) -> Any:
    case = case_get(request.auth.user, case_id)  # type: ignore[attr-defined]
    return list(decision_list(case))


@router.post(
    "/cases/{case_id}/decisions",
    response={201: DecisionOut, **ERRORS},
    summary="Decide the case's eligibility now, under the programme's active rules",
)
def create_decision(request: HttpRequest, case_id: uuid.UUID) -> Status:
    user = request.auth.user  # type: ignore[attr-defined]
    case = case_get(user, case_id)
    try:
        return Status(201, eligibility_decide(actor=user, case=case))
    except PermissionDenied:
        raise HttpError(403, "") from None
    except DjangoValidationError as exc:
        raise HttpError(409, " ".join(exc.messages)) from None


@router.post(
    "/cases/{case_id}/decisions/override",
    response={200: DecisionOut, **ERRORS},
    summary="Override the case's latest, negative decision (programme managers)",
)
def override_decision(request: HttpRequest, case_id: uuid.UUID, payload: OverrideIn) -> Any:
    user = request.auth.user  # type: ignore[attr-defined]
    case = case_get(user, case_id)
    decision = decision_list(case).first()
    if decision is None:
        raise Http404
    try:
        return eligibility_override(actor=user, decision=decision, reason=payload.reason)
    except PermissionDenied:
        raise HttpError(403, "") from None
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise django_validation_error(exc) from None
        raise HttpError(409, " ".join(exc.messages)) from None
