"""Changes to retention records and the retention run, each audited in the same transaction.

``retention_run`` applies an office's rules: the closed cases due under a rule, not under a legal
hold and not anonymised yet, are anonymised one by one (each in its own transaction: the case
locked, its statistics facts brought up to date and frozen, every personal value reachable from
it erased by ``wayhome.retention.erasure``, one audit event with counts only). A dry run writes
the same report (``RetentionItem`` rows) and changes nothing else.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DateTimeField, Max, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm
from wayhome.audit.services import audit_record
from wayhome.cases.models import Case, CaseMember
from wayhome.cases.workflow import TERMINAL
from wayhome.reporting.facts import facts_refresh
from wayhome.retention import erasure
from wayhome.retention.models import (
    RECORD_MODELS,
    AnonymisedCase,
    AnonymisedRecord,
    LegalHold,
    RecordType,
    RetentionItem,
    RetentionRule,
    RetentionRun,
    Unit,
)

logger = logging.getLogger(__name__)

MAX_DAYS = 100 * 366
MIN_REASON = 10


def _require(actor: Any, office_id: Any) -> None:
    if not has_perm(actor, Perm.DATA_PROTECTION, office_id):
        raise PermissionDenied


def _check_period(amount: Any, unit: str) -> None:
    errors: dict[str, str] = {}
    if unit not in Unit.values:
        errors["unit"] = _("Choose days or years.")
    if not isinstance(amount, int) or amount < 1:
        errors["amount"] = _("Keep the data for at least one day or year.")
    elif (amount if unit == Unit.DAYS else amount * 366) > MAX_DAYS:
        errors["amount"] = _("A period longer than 100 years is not a retention period.")
    if errors:
        raise ValidationError(errors)


def rule_create(
    *,
    actor: Any,
    office: Office,
    programme: str,
    record_type: str,
    amount: int,
    unit: str,
) -> RetentionRule:
    """A new rule for ``office``; one per office, kind of record and programme (or all)."""
    _require(actor, office.pk)
    _check_period(amount, unit)
    if record_type not in RecordType.values:
        raise ValidationError({"record_type": _("Choose a kind of record.")})
    if programme and record_type != RecordType.CLOSED_CASES:
        raise ValidationError(
            {"programme": _("Only cases have a programme: leave it empty for these records.")}
        )
    with transaction.atomic():
        if RetentionRule.objects.filter(
            office=office, record_type=record_type, programme=programme
        ).exists():
            raise ValidationError(
                {"programme": _("This office has a rule for these records and programme already.")}
            )
        rule = RetentionRule(
            office=office,
            programme=programme,
            record_type=record_type,
            amount=amount,
            unit=unit,
            created_by=actor,
        )
        rule.full_clean()
        rule.save()
        audit_record(
            actor=actor,
            action="retention.rule_create",
            obj=rule,
            details={"record_type": record_type, "programme": programme, "days_or_years": unit},
        )
    return rule


def rule_update(
    *, actor: Any, rule: RetentionRule, amount: int, unit: str, active: bool, version: int
) -> RetentionRule:
    """Changes a rule's period or switches it off; a stale version is refused (``stale``)."""
    _require(actor, rule.office_id)
    _check_period(amount, unit)
    with transaction.atomic():
        current = RetentionRule.objects.select_for_update().get(pk=rule.pk)
        if current.version != version:
            raise ValidationError(
                _("Someone changed this rule while you were reading it: read it again."),
                code="stale",
            )
        changed = sorted(
            name
            for name, value in (("amount", amount), ("unit", unit), ("active", active))
            if getattr(current, name) != value
        )
        current.amount, current.unit, current.active = amount, unit, active
        current.version += 1
        current.full_clean()
        current.save()
        audit_record(
            actor=actor, action="retention.rule_update", obj=current, details={"fields": changed}
        )
    return current


def hold_place(*, actor: Any, case: Case, reason: str) -> LegalHold:
    """Suspends retention for ``case`` until the hold is lifted. The reason is stored encrypted
    and never written to the audit trail."""
    _require(actor, case.office_id)
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError(
            {"reason": _("Give the reason for the hold (at least 10 characters).")}
        )
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if AnonymisedCase.objects.filter(case=locked).exists():
            raise ValidationError({"case": _("This case was anonymised already.")})
        if LegalHold.objects.filter(case=locked, lifted_at=None).exists():
            raise ValidationError({"case": _("This case is under a legal hold already.")})
        hold = LegalHold(
            case=locked,
            office_id=locked.office_id,
            reason=reason,
            placed_by=actor,
            placed_at=timezone.now(),
        )
        hold.full_clean()
        hold.save()
        audit_record(
            actor=actor,
            action="retention.hold_place",
            obj=hold,
            details={"case": str(locked.pk)},
        )
    return hold


def hold_lift(*, actor: Any, hold: LegalHold, version: int) -> LegalHold:
    """Lifts a hold in force: the case's data falls under the rules again."""
    _require(actor, hold.office_id)
    with transaction.atomic():
        current = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if current.version != version:
            raise ValidationError(
                _("Someone changed this hold while you were reading it: read it again."),
                code="stale",
            )
        if current.lifted_at is not None:
            raise ValidationError(_("This hold was lifted already."))
        current.lifted_at = timezone.now()
        current.lifted_by = actor
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action="retention.hold_lift",
            obj=current,
            details={"case": str(current.case_id)},
        )
    return current


# The run ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    case_id: Any
    rule: RetentionRule
    closed_on: datetime.date
    #: For records other than cases: their model's label (``case_id`` is then their id).
    record: str = ""


def _closed_cases(office: Office) -> QuerySet[Case]:
    anonymised = AnonymisedCase.objects.filter(case__office=office).values("case_id")
    return (
        Case.objects.filter(office=office, status__in=list(TERMINAL))
        .exclude(pk__in=anonymised)
        .annotate(
            closed_at=Coalesce(
                Max("transitions__occurred_at"), "status_changed_at", output_field=DateTimeField()
            )
        )
    )


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def cases_due(office: Office, today: datetime.date) -> list[Due]:
    """The office's closed cases due for anonymisation under its active rules (one query per
    rule); a programme's own rule takes precedence over the rule for every programme."""
    rules = list(
        RetentionRule.objects.filter(
            office=office, active=True, record_type=RecordType.CLOSED_CASES
        )
    )
    own = {rule.programme for rule in rules if rule.programme}
    due: list[Due] = []
    for rule in rules:
        cases: QuerySet[Any] = _closed_cases(office)
        if rule.programme:
            cases = cases.filter(programme=rule.programme)
        else:
            cases = cases.exclude(programme__in=own)
        closed = "closed_at"  # the annotation
        before = {f"{closed}__lt": _day_start(rule.cutoff(today))}
        for pk, closed_at in (
            cases.filter(**before).order_by(closed, "pk").values_list("pk", closed)
        ):
            due.append(Due(pk, rule, timezone.localtime(closed_at).date()))
    return due


def records_due(office: Office, today: datetime.date) -> list[Due]:
    """The office's closed inquiries and feedback due under its rules (one query per rule)."""
    due: list[Due] = []
    rules = RetentionRule.objects.filter(
        office=office, active=True, record_type__in=list(RECORD_MODELS)
    )
    for rule in rules:
        label = RECORD_MODELS[rule.record_type]
        model = apps.get_model(label)
        done = AnonymisedRecord.objects.filter(object_type=label).values("object_id")
        for pk, closed_at in (
            model._default_manager.filter(
                office=office, closed_at__lt=_day_start(rule.cutoff(today))
            )
            .exclude(pk__in=done)
            .order_by("closed_at", "pk")
            .values_list("pk", "closed_at")
        ):
            due.append(Due(pk, rule, timezone.localtime(closed_at).date(), record=label))
    return due


def _held(office: Office) -> set[Any]:
    """The office's cases under a legal hold in force (as many as there are holds)."""
    return set(
        LegalHold.objects.filter(office=office, lifted_at=None).values_list("case_id", flat=True)
    )


def retention_run(
    *,
    actor: Any = None,
    office: Office,
    dry_run: bool,
    today: datetime.date | None = None,
) -> RetentionRun:
    """Runs ``office``'s rules (``actor`` None for the nightly task); returns the run."""
    if actor is not None:
        _require(actor, office.pk)
    today = today or timezone.localdate()
    run = RetentionRun.objects.create(
        office=office,
        dry_run=dry_run,
        started_at=timezone.now(),
        as_of=today,
        requested_by=actor,
    )
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"cases": 0, "held": 0, "rows": 0})
    try:
        due = cases_due(office, today) + records_due(office, today)
        held = _held(office)
        items: list[RetentionItem] = []
        for d in due:
            tally = counts[str(d.rule.pk)]
            if not d.record and d.case_id in held:
                tally["held"] += 1
                items.append(_item(run, d, RetentionItem.Outcome.HELD))
                continue
            if dry_run:
                tally["cases"] += 1
                items.append(_item(run, d, RetentionItem.Outcome.DUE))
                continue
            if d.record:
                rows = record_anonymise(
                    actor=actor, label=d.record, pk=d.case_id, rule=d.rule, run=run
                )
            else:
                rows = case_anonymise(actor=actor, case_id=d.case_id, rule=d.rule, run=run)
            if rows is None:  # held, reopened or done meanwhile
                continue
            tally["cases"] += 1
            tally["rows"] += rows
            items.append(_item(run, d, RetentionItem.Outcome.ANONYMISED, rows))
        RetentionItem.objects.bulk_create(items, batch_size=1000)
        run.status = RetentionRun.Status.SUCCEEDED
    except Exception:
        logger.exception("retention run %s failed", run.pk)
        run.status = RetentionRun.Status.FAILED
        raise
    finally:
        run.counts = dict(counts)
        run.cases = sum(c["cases"] for c in counts.values())
        run.held = sum(c["held"] for c in counts.values())
        run.rows = sum(c["rows"] for c in counts.values())
        run.finished_at = timezone.now()
        run.save()
        audit_record(
            actor=actor,
            action="retention.run_dry" if dry_run else "retention.run",
            obj=run,
            details={"cases": run.cases, "held": run.held, "rows": run.rows, "status": run.status},
        )
    return run


def _item(run: RetentionRun, due: Due, outcome: str, rows: int = 0) -> RetentionItem:
    return RetentionItem(
        run=run,
        case_id=None if due.record else due.case_id,
        object_type=due.record or "cases.case",
        object_id=due.case_id,
        rule=due.rule,
        closed_on=due.closed_on,
        outcome=outcome,
        rows=rows,
    )


def case_anonymise(
    *, actor: Any, case_id: Any, rule: RetentionRule, run: RetentionRun
) -> int | None:
    """Erases every personal value reachable from one case, in one transaction; the number of
    rows changed, or None when the case is no longer due (held, reopened, done)."""
    files: list[Any] = []
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if (
            case is None
            or case.status not in TERMINAL
            or LegalHold.objects.filter(case=case, lifted_at=None).exists()
            or AnonymisedCase.objects.filter(case=case).exists()
        ):
            return None
        facts_refresh([case.pk])  # the figures as they are, then frozen
        AnonymisedCase.objects.create(case=case, run=run, rule=rule, anonymised_at=timezone.now())
        members = list(CaseMember.objects.filter(case=case).values_list("pk", "person_id"))
        people = {person_id for _pk, person_id in members}
        anonymised = AnonymisedCase.objects.values("case_id")
        kept = set(
            CaseMember.objects.filter(person__in=people)
            .exclude(case__in=anonymised)
            .values_list("person_id", flat=True)
        ) | set(
            Case.objects.filter(principal__in=people)
            .exclude(pk__in=anonymised)
            .values_list("principal_id", flat=True)
        )
        plan = erasure.erasure_plan(
            case_ids=[case.pk],
            member_ids=[pk for pk, _person in members],
            person_ids=people - kept,
        )
        others = plan.rows[Case] - {case.pk}
        if others - set(
            AnonymisedCase.objects.filter(case__in=others).values_list("case_id", flat=True)
        ):
            # A link led to a case that is kept: never erase beyond the case.
            raise RuntimeError(f"retention: erasing case {case.pk} would reach other cases")
        files = erasure.stored_files(plan)
        rows = erasure.erase(plan)
        audit_record(
            actor=actor,
            action="retention.anonymise",
            obj=case,
            details={
                "run": str(run.pk),
                "rule": str(rule.pk),
                "rows": rows,
                "tables": sum(1 for pks in plan.rows.values() if pks),
                "people_erased": len(people - kept),
                "people_kept": len(people & kept),
            },
        )
        transaction.on_commit(lambda: erasure.delete_files(files))
    return rows


def record_anonymise(
    *, actor: Any, label: str, pk: Any, rule: RetentionRule, run: RetentionRun
) -> int | None:
    """Erases every personal value of one closed inquiry or feedback and the rows hanging off
    it (never a case's, a member's or a person's), in one transaction; None when it is no
    longer due (reopened, done)."""
    model = apps.get_model(label)
    files: list[Any] = []
    with transaction.atomic():
        row = model._default_manager.select_for_update().filter(pk=pk).first()
        if (
            row is None
            or getattr(row, "closed_at", None) is None
            or AnonymisedRecord.objects.filter(object_type=label, object_id=pk).exists()
        ):
            return None
        AnonymisedRecord.objects.create(
            object_type=label, object_id=pk, run=run, rule=rule, anonymised_at=timezone.now()
        )
        plan = erasure.record_plan(model, pk)
        files = erasure.stored_files(plan)
        rows = erasure.erase(plan)
        audit_record(
            actor=actor,
            action="retention.anonymise",
            obj=row,
            details={
                "run": str(run.pk),
                "rule": str(rule.pk),
                "rows": rows,
                "tables": sum(1 for pks in plan.rows.values() if pks),
            },
        )
        transaction.on_commit(lambda: erasure.delete_files(files))
    return rows
