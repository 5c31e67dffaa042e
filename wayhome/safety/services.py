"""Writes to the return-restriction register, each in one transaction with its audit events.

- ``restriction_record``: saves a new restriction, or the next version of one (changing or lifting
  it); nothing is changed in place. A version that suspends returns today puts every affected
  case still before departure on hold at once, and a version that no longer suspends releases the
  cases the restriction held (unless another suspension still applies to them): one transaction,
  bulk updates, one ``CaseTransition`` and one audit event per case moved (``holds_sync``).
- ``restriction_decision_record``: a programme manager allows one case's return under the
  case-by-case versions in force for it.

Bulk moves do not go through ``case_transition`` (one locked round trip per case would take
minutes for a large suspension) and do not send ``case_transitioned``; they record what it
records: status, ``held_from``, ``status_changed_at``, ``version``, a transition row, an audit
event.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import User
from wayhome.audit.services import audit_record, audit_record_many
from wayhome.cases.models import Case, CaseTransition, Programme
from wayhome.cases.workflow import PRE_DEPARTURE, Status
from wayhome.core.countries import COUNTRY_CODES, SUBDIVISION_CODES
from wayhome.reporting.facts import mark_stale
from wayhome.safety.models import (
    Restriction,
    RestrictionDecision,
    RestrictionHold,
    RestrictionStatus,
)
from wayhome.safety.policies import may_decide, may_manage
from wayhome.safety.selectors import restriction_for_case, restriction_in_force, versions_in_force

REASON_MAX = 1000
SOURCE_MAX = 500
DECISION_REASON_MAX = 2000
CHUNK = 2000
STALE = _("Someone saved a newer version of this restriction. Reload and try again.")


def _control(char: str) -> bool:
    return (ord(char) < 32 and char not in "\t\n\r") or 127 <= ord(char) < 160


def clean_text(value: str, *, field: str, limit: int, required: bool = True) -> str:
    """Whitespace collapsed; refuses control characters, empty (when required) and long text."""
    value = value or ""
    if any(_control(char) for char in value):
        raise ValidationError(
            {field: ValidationError(_("Remove the control characters."), code="control")}
        )
    text = " ".join(value.split())
    if required and not text:
        raise ValidationError(
            {field: ValidationError(_("This field is required."), code="required")}
        )
    if len(text) > limit:
        message = _("At most %(limit)s characters.") % {"limit": limit}
        raise ValidationError({field: ValidationError(message, code="max_length")})
    return text


@dataclass
class HoldResult:
    held: list[Any] = field(default_factory=list)  # case ids put on hold
    released: list[Any] = field(default_factory=list)  # case ids released
    kept: list[Any] = field(default_factory=list)  # case ids whose hold another suspension took


def _validate(
    *,
    country: str,
    region: str,
    programmes: Sequence[str],
    status: str,
    valid_from: datetime.date | None,
    valid_to: datetime.date | None,
    approved_by: Any,
) -> dict[str, Any]:
    errors: dict[str, list[ValidationError]] = {}

    def error(name: str, message: Any, code: str) -> None:
        errors.setdefault(name, []).append(ValidationError(message, code=code))

    country = (country or "").strip().upper()
    region = (region or "").strip().upper()
    if country not in COUNTRY_CODES:
        error(
            "country", _("Unknown country: use an ISO 3166-1 two-letter code."), "invalid_country"
        )
    if region:
        if region not in SUBDIVISION_CODES:
            error("region", _("Unknown region: use an ISO 3166-2 code."), "invalid_region")
        elif not region.startswith(f"{country}-"):
            error("region", _("The region is not in the country."), "region_country")
    chosen = list(dict.fromkeys(programmes or []))
    if not chosen:
        error("programmes", _("Choose at least one programme."), "required")
    elif any(code not in Programme.values for code in chosen):
        error("programmes", _("Unknown programme."), "invalid_choice")
    if status not in RestrictionStatus.values:
        error("status", _("Unknown status."), "invalid_choice")
    if valid_from is None:
        error("valid_from", _("This field is required."), "required")
    elif valid_to is not None and valid_to < valid_from:
        error("valid_to", _("The end is before the start."), "valid_to_before_valid_from")
    if (
        approved_by is None
        or not isinstance(approved_by, User)
        or not approved_by.is_active
        or not may_manage(approved_by)
    ):
        error(
            "approved_by",
            _("Choose the person who approved it (someone who maintains the register)."),
            "invalid_approver",
        )
    if errors:
        raise ValidationError(errors)
    return {"country": country, "region": region, "programmes": sorted(chosen)}


def restriction_record(
    *,
    actor: Any,
    previous: Restriction | None = None,
    country: str = "",
    region: str = "",
    programmes: Sequence[str],
    status: str,
    valid_from: datetime.date | None,
    valid_to: datetime.date | None = None,
    reason: str,
    source: str,
    approved_by: Any,
    pauses_post_arrival: bool = False,
) -> tuple[Restriction, HoldResult]:
    """Saves a new restriction, or (``previous``: the version the user saw) its next version,
    which keeps the country and region. Applies its holds and releases at once."""
    if not may_manage(actor):
        raise PermissionDenied
    if previous is not None:
        country, region = previous.country, previous.region
    errors: dict[str, Any] = {}
    cleaned_text: dict[str, str] = {}
    for name, value, limit in (("reason", reason, REASON_MAX), ("source", source, SOURCE_MAX)):
        try:
            cleaned_text[name] = clean_text(value, field=name, limit=limit)
        except ValidationError as exc:
            errors.update(exc.error_dict)
    try:
        cleaned = _validate(
            country=country,
            region=region,
            programmes=programmes,
            status=status,
            valid_from=valid_from,
            valid_to=valid_to,
            approved_by=approved_by,
        )
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    assert valid_from is not None  # noqa: S101 (validated above)
    try:
        with transaction.atomic():
            if previous is not None:
                latest = (
                    Restriction.objects.select_for_update()
                    .filter(series=previous.series)
                    .order_by("-number")
                    .first()
                )
                if latest is None or latest.number != previous.number:
                    raise ValidationError(STALE, code="stale")
            version = Restriction(
                country=cleaned["country"],
                region=cleaned["region"],
                programmes=cleaned["programmes"],
                status=status,
                valid_from=valid_from,
                valid_to=valid_to,
                reason=cleaned_text["reason"],
                source=cleaned_text["source"],
                approved_by=approved_by,
                pauses_post_arrival=pauses_post_arrival,
                created_by=actor,
            )
            if previous is not None:
                version.series = previous.series
                version.number = previous.number + 1
            version.save(force_insert=True)
            audit_record(
                actor=actor,
                action="safety.restriction_record",
                obj=version,
                details={
                    "country": version.country,
                    "region": version.region,
                    "status": version.status,
                    "version": version.number,
                },
            )
            result = holds_sync(actor=actor, version=version)
    except IntegrityError:
        raise ValidationError(STALE, code="stale") from None
    return version, result


def _suspends_today(version: Restriction, today: datetime.date) -> bool:
    return (
        version.status == RestrictionStatus.SUSPENDED
        and version.valid_from <= today
        and (version.valid_to is None or today <= version.valid_to)
    )


def _chunks(items: list[Any]) -> list[list[Any]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


def holds_sync(*, actor: Any, version: Restriction) -> HoldResult:
    """Puts on hold the cases ``version`` suspends, and releases those its restriction held that it
    no longer suspends. Runs inside ``restriction_record``'s transaction."""
    today = timezone.localdate()
    now = timezone.now()
    result = HoldResult()
    suspends = _suspends_today(version, today)
    label = version.region or version.country
    transitions: list[CaseTransition] = []
    audits: list[tuple[str, Any, Any, dict[str, Any]]] = []

    # 1. Cases held by this restriction that this version no longer suspends.
    holds = list(
        RestrictionHold.objects.select_for_update()
        .filter(series=version.series, released_at__isnull=True)
        .select_related("case")
    )
    other_cache: dict[tuple[str, str, str], Restriction | None] = {}
    to_release: list[RestrictionHold] = []
    moved: list[tuple[RestrictionHold, Restriction]] = []
    for hold in holds:
        case = hold.case
        if suspends and case.programme in version.programmes:
            continue
        key = (case.destination_country, case.destination_region, case.programme)
        if key not in other_cache:
            answer = restriction_in_force(*key, today)
            other_cache[key] = answer.deciding if answer.suspended else None
        other = other_cache[key]
        if other is not None:
            moved.append((hold, other))
        else:
            to_release.append(hold)
    for hold, other in moved:
        hold.released_at = now
        hold.released_by = version
        hold.save(update_fields=["released_at", "released_by"])
        RestrictionHold.objects.create(
            series=other.series, restriction=other, case_id=hold.case_id, held_at=now
        )
        result.kept.append(hold.case_id)
    if to_release:
        release_ids = [hold.case_id for hold in to_release]
        locked = list(
            Case.objects.select_for_update()
            .filter(pk__in=release_ids, status=Status.ON_HOLD)
            .values_list("pk", "held_from", "office_id")
        )
        reason = gettext("Return restriction lifted (%(place)s).") % {"place": label}
        for chunk in _chunks([pk for pk, _held, _office in locked]):
            Case.objects.filter(pk__in=chunk, status=Status.ON_HOLD).update(
                status=F("held_from"),
                held_from="",
                status_changed_at=now,
                version=F("version") + 1,
            )
            mark_stale(chunk)
        for pk, held_from, office_id in locked:
            transitions.append(
                CaseTransition(
                    case_id=pk, source=Status.ON_HOLD, target=held_from, actor=actor, reason=reason
                )
            )
            audits.append(
                (
                    "cases.case",
                    pk,
                    office_id,
                    {"from": Status.ON_HOLD.value, "to": held_from, "restriction": str(version.pk)},
                )
            )
            result.released.append(pk)
        for chunk in _chunks([hold.pk for hold in to_release]):
            RestrictionHold.objects.filter(pk__in=chunk).update(
                released_at=now, released_by=version
            )

    # 2. Cases this version suspends, still before departure and not already on hold.
    if suspends:
        candidates = Case.objects.select_for_update().filter(
            destination_country=version.country,
            programme__in=version.programmes,
            status__in=list(PRE_DEPARTURE),
        )
        if version.region:
            candidates = candidates.filter(destination_region=version.region)
        rows = list(candidates.values_list("pk", "status", "office_id"))
        reason = gettext("Return restriction: %(place)s suspended. %(reason)s") % {
            "place": label,
            "reason": version.reason,
        }
        for chunk in _chunks([pk for pk, _status, _office in rows]):
            Case.objects.filter(pk__in=chunk).update(
                held_from=F("status"),
                status=Status.ON_HOLD,
                status_changed_at=now,
                version=F("version") + 1,
            )
            mark_stale(chunk)
        holds_new = []
        for pk, status, office_id in rows:
            transitions.append(
                CaseTransition(
                    case_id=pk, source=status, target=Status.ON_HOLD, actor=actor, reason=reason
                )
            )
            audits.append(
                (
                    "cases.case",
                    pk,
                    office_id,
                    {"from": status, "to": Status.ON_HOLD.value, "restriction": str(version.pk)},
                )
            )
            holds_new.append(
                RestrictionHold(series=version.series, restriction=version, case_id=pk, held_at=now)
            )
            result.held.append(pk)
        RestrictionHold.objects.bulk_create(holds_new, batch_size=CHUNK)

    CaseTransition.objects.bulk_create(transitions, batch_size=CHUNK)
    audit_record_many(actor=actor, action="case.transition", objects=audits)
    if result.held or result.released:
        from wayhome.safety.tasks import send_hold_notices

        held = [str(pk) for pk in result.held]
        released = [str(pk) for pk in result.released]
        restriction_id = str(version.pk)
        transaction.on_commit(
            lambda: send_hold_notices.enqueue(
                restriction_id=restriction_id, held=held, released=released
            )
        )
    return result


def restrictions_apply(*, actor: Any = None) -> HoldResult:
    """Brings the holds in line with the register as it stands today, series by series: a
    suspension that starts today holds its cases, one that ended (``valid_to`` passed) releases
    them. Run daily (``manage.py apply_restrictions``); recording a version does the same at once.
    Idempotent: a second run the same day changes nothing."""
    today = timezone.localdate()
    total = HoldResult()
    for series in Restriction.objects.values_list("series", flat=True).distinct().order_by():
        with transaction.atomic():
            versions = list(Restriction.objects.select_for_update().filter(series=series))
            in_force = versions_in_force(versions, today)
            version = in_force[0] if in_force else max(versions, key=lambda v: v.number)
            result = holds_sync(actor=actor, version=version)
        total.held += result.held
        total.released += result.released
        total.kept += result.kept
    return total


def restriction_decision_record(*, actor: Any, case: Case, reason: str) -> RestrictionDecision:
    """A programme manager of the case's office allows its return under every case-by-case
    version in force for it today (the reason is kept encrypted; the audit holds no text)."""
    reason = clean_text(reason, field="reason", limit=DECISION_REASON_MAX)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if not may_decide(actor, locked):
            raise PermissionDenied
        answer = restriction_for_case(locked)
        versions = answer.case_by_case
        if answer.suspended:
            raise ValidationError(
                _("Returns to this destination are suspended: no decision can allow it."),
                code="suspended",
            )
        if not versions:
            raise ValidationError(
                _("No case-by-case restriction applies to this case's destination."),
                code="not_case_by_case",
            )
        decision = RestrictionDecision(
            case=locked, reason=reason, decided_by=actor, decided_at=timezone.now()
        )
        decision.save(force_insert=True)
        decision.restrictions.set(versions)
        audit_record(
            actor=actor,
            action="safety.decision_record",
            obj=locked,
            details={
                "decision": str(decision.pk),
                "restrictions": [str(v.pk) for v in versions],
            },
        )
    return decision
