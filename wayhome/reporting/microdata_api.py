"""Microdata releases over the REST API, under /api/v1/reporting/microdata: the releases the user
may see, a request (released, or refused), one release, and its file.

The same rules as the pages (``microdata.py``): a user who may ask for no office's data gets 403
on the list and the request; a release the user may not see answers 404, as does its file for
anyone but its requester; an expired file answers 410 ``gone``. A request that is not
k-anonymous answers 422 ``not_k_anonymous`` (an empty selection 422 ``empty_selection``) with the
reasons and the coarser options in ``details``; the refusal is recorded all the same, and
``details.release_id`` names it. Bad input answers 422 with field errors and records nothing.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from wayhome.accounts.models import Office
from wayhome.api.errors import error_response, invalid_field, run_service
from wayhome.api.fields import MultiLine, SingleLine, api_user
from wayhome.api.schemas import Error
from wayhome.core.paging import CappedLimitOffset
from wayhome.reporting import microdata
from wayhome.reporting.models import MicrodataRelease

router = Router(tags=["reporting"])

ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Error}

AsIs = Literal["as_is"] | None


class MicrodataQuasiIdentifiersIn(Schema):
    """The generalisation of each quasi-identifier; null leaves it out of the file."""

    sex: AsIs = "as_is"
    age_group: Literal["as_is", "broad"] | None = Field(
        default="as_is",
        description="as_is: 0-4, 5-11, 12-17, 18-24, 25-59, 60+; broad: child or adult.",
    )
    origin_country: Literal["country", "area", "region"] | None = Field(
        default="country",
        description="country; area: UN M49 sub-region (western_africa); region: UN M49 region "
        "(africa).",
    )
    origin_region: AsIs = Field(
        default=None,
        description="The region within the country (only with origin_country country).",
    )
    programme: AsIs = None
    category: AsIs = None
    host_country: AsIs = None
    departure: Literal["month", "quarter", "year"] | None = None


class MicrodataReleaseIn(Schema):
    purpose: MultiLine = Field(
        min_length=1, max_length=500, examples=["Evaluation of the reintegration programme"]
    )
    recipient: SingleLine = Field(min_length=1, max_length=200, examples=["An evaluator"])
    office_ids: list[uuid.UUID] = Field(
        default_factory=list, description="Empty: every office whose data the user may release."
    )
    period_from: datetime.date | None = Field(None, description="Departed on or after.")
    period_to: datetime.date | None = Field(None, description="Departed on or before.")
    quasi_identifiers: MicrodataQuasiIdentifiersIn = Field(
        default_factory=lambda: MicrodataQuasiIdentifiersIn()
    )
    k: int = Field(
        microdata.DEFAULT_K,
        ge=microdata.MIN_K,
        le=microdata.MAX_K,
        description="Every combination of the quasi-identifiers must be shared by at least k "
        "people, or nothing is released.",
    )


class MicrodataReleaseOut(Schema):
    id: uuid.UUID
    status: Literal["released", "refused"]
    requested_by_id: uuid.UUID
    office_ids: list[uuid.UUID]
    purpose: str
    recipient: str
    period_from: datetime.date | None
    period_to: datetime.date | None
    quasi_identifiers: list[str] = Field(description="The columns of the quasi-identifiers.")
    generalisation: dict[str, str] = Field(description="The level of each one kept.")
    k: int
    rows: int = Field(description="People in the selection (in the file when released).")
    smallest_class: int | None
    classes_below_k: int
    digest: str = Field(description="SHA-256 of the file (hex); empty when refused.")
    expires_at: datetime.datetime | None
    expired: bool
    created_at: datetime.datetime

    @staticmethod
    def resolve_office_ids(obj: MicrodataRelease) -> list[uuid.UUID]:
        return sorted((office.pk for office in obj.offices.all()), key=str)

    @staticmethod
    def resolve_expired(obj: MicrodataRelease) -> bool:
        return obj.status == MicrodataRelease.Status.RELEASED and microdata.is_expired(obj)


def _allowed(user: Any) -> None:
    if not microdata.may_request(user):
        raise HttpError(403, _("You may not do this."))


@router.get(
    "",
    response=list[MicrodataReleaseOut],
    summary="The microdata releases the user may see, the newest first",
)
@paginate(CappedLimitOffset)
def list_releases(request: HttpRequest) -> QuerySet[MicrodataRelease]:
    """The user's own releases and refusals, and those of the offices where they are a data
    protection officer. Paged with ``limit`` and ``offset``. 403 for a user who may ask for no
    office's data."""
    user = api_user(request)
    _allowed(user)
    return microdata.microdata_release_list(actor=user)


@router.post(
    "",
    response={201: MicrodataReleaseOut, **ERRORS},
    summary="Ask for a pseudonymised file: released if k-anonymous, else refused (422)",
)
def create_release(request: HttpRequest, payload: MicrodataReleaseIn) -> Any:
    """Answers 201 with the release (download it from ``/{id}/file``), or 422
    ``not_k_anonymous`` / ``empty_selection`` with ``details``: ``release_id`` (the refusal
    recorded), ``k``, ``rows``, ``classes_below_k``, ``rows_below_k``, ``smallest_class``,
    ``reasons`` and ``suggestions`` (each quasi-identifier's next coarser ``level``, ``null``:
    leave it out, with the classes and people it would leave below k)."""
    user = api_user(request)
    _allowed(user)
    allowed = microdata.request_offices(user)
    offices = list(Office.objects.filter(pk__in=set(payload.office_ids) & allowed))
    if len(offices) != len(set(payload.office_ids)):
        raise invalid_field(
            "office_ids", _("Choose among the offices whose data you may release."), "unknown"
        )
    generalisation = {
        name: code for name, code in payload.quasi_identifiers.model_dump().items() if code
    }
    outcome: microdata.MicrodataOutcome = run_service(
        lambda: microdata.microdata_release_create(
            actor=user,
            purpose=payload.purpose,
            recipient=payload.recipient,
            offices=offices,
            period_from=payload.period_from,
            period_to=payload.period_to,
            generalisation=generalisation,
            k=payload.k,
        ),
        fields={
            "offices": "office_ids",
            **{name: f"quasi_identifiers.{name}" for name in microdata.QUASI_IDENTIFIERS},
        },
    )
    if outcome.released:
        return Status(201, _fresh(user, outcome.release.pk))
    check = outcome.check
    return error_response(
        422,
        code="not_k_anonymous" if check.rows else "empty_selection",
        message=_("The file is not released: see the reasons.")
        if check.rows
        else _("No one who departed is in this selection: there is nothing to release."),
        details={
            "release_id": str(outcome.release.pk),
            "k": check.k,
            "rows": check.rows,
            "classes_below_k": check.classes_below_k,
            "rows_below_k": check.rows_below_k,
            "smallest_class": check.smallest_class,
            "reasons": outcome.reasons,
            "suggestions": [
                {
                    "quasi_identifier": suggestion.quasi_identifier,
                    "level": suggestion.level or None,
                    "classes_below_k": suggestion.classes_below_k,
                    "rows_below_k": suggestion.rows_below_k,
                    "message": suggestion.text,
                }
                for suggestion in outcome.suggestions
            ],
        },
    )


def _fresh(user: Any, release_id: Any) -> MicrodataRelease:
    return microdata.microdata_release_get(actor=user, microdata_release_id=release_id)


@router.get(
    "/{microdata_release_id}",
    response={200: MicrodataReleaseOut, **ERRORS},
    summary="One microdata release (its parameters and k check; not the file)",
)
def get_release(request: HttpRequest, microdata_release_id: uuid.UUID) -> Any:
    return _fresh(api_user(request), microdata_release_id)


@router.get(
    "/{microdata_release_id}/file",
    response={410: Error, **ERRORS},
    summary="The file of a release (CSV), to its requester while it is valid",
    openapi_extra={
        "responses": {
            200: {
                "description": "The CSV file (UTF-8, a header row), as an attachment.",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def get_release_file(request: HttpRequest, microdata_release_id: uuid.UUID) -> Any:
    """Each download is audited. 404 for anyone but the requester; 410 ``gone`` once expired."""
    user = api_user(request)
    try:
        release = microdata.microdata_release_download(
            actor=user, microdata_release_id=microdata_release_id
        )
    except microdata.ReleaseExpired as exc:
        expired_on = timezone.localtime(exc.release.expires_at or timezone.now())
        return error_response(
            410,
            code="gone",
            message=_("This file expired on %(on)s: request a new release.")
            % {"on": f"{expired_on:%Y-%m-%d %H:%M}"},
        )
    response = HttpResponse(bytes(release.content or b""), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{microdata.file_name(release)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
