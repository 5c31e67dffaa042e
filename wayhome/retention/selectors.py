"""Reads of retention records: a data protection officer sees the rules, holds and runs of the
offices where they hold ``Perm.DATA_PROTECTION``; anyone else sees none (404)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm_anywhere, offices_with
from wayhome.cases.models import Case
from wayhome.retention.models import (
    AnonymisedCase,
    LegalHold,
    RetentionItem,
    RetentionRule,
    RetentionRun,
)


def may_retain(user: Any) -> bool:
    return has_perm_anywhere(user, Perm.DATA_PROTECTION)


def _offices(user: Any) -> set[Any]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return offices_with(user, Perm.DATA_PROTECTION)


def _get(queryset: QuerySet[Any], pk: Any) -> Any:
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


def rule_list(user: Any) -> QuerySet[RetentionRule]:
    return RetentionRule.objects.filter(office__in=_offices(user)).select_related("office")


def rule_get(user: Any, rule_id: Any) -> RetentionRule:
    return _get(rule_list(user), rule_id)


def hold_list(user: Any, *, in_force: bool | None = None) -> QuerySet[LegalHold]:
    holds = LegalHold.objects.filter(office__in=_offices(user)).select_related(
        "case", "office", "placed_by", "lifted_by"
    )
    if in_force is not None:
        holds = holds.filter(lifted_at__isnull=in_force)
    return holds.order_by("-placed_at", "-id")


def hold_get(user: Any, hold_id: Any) -> LegalHold:
    return _get(hold_list(user), hold_id)


def holdable_case(user: Any, reference: str) -> Case | None:
    """A case of the officer's offices, found by its reference."""
    return (
        Case.objects.filter(office__in=_offices(user), reference=reference.strip())
        .only("pk", "office_id", "reference")
        .first()
    )


def run_list(user: Any) -> QuerySet[RetentionRun]:
    return (
        RetentionRun.objects.filter(office__in=_offices(user))
        .select_related("office", "requested_by")
        .order_by("-started_at", "-id")
    )


def run_get(user: Any, run_id: Any) -> RetentionRun:
    return _get(run_list(user), run_id)


def run_items(run: RetentionRun) -> QuerySet[RetentionItem]:
    return (
        RetentionItem.objects.filter(run=run)
        .select_related("case", "rule")
        .order_by("closed_on", "id")
    )


def anonymised_among(case_ids: list[Any]) -> set[Any]:
    """The anonymised cases among ``case_ids`` (their statistics facts are frozen)."""
    if not case_ids:
        return set()
    return set(AnonymisedCase.objects.filter(case__in=case_ids).values_list("case_id", flat=True))
