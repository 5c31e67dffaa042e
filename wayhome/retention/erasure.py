"""Erasing the personal values of cases, found from the model graph.

Starting from the cases, their members and the people who are on no other case still kept, every
row that points at one of those rows (a foreign key, a one-to-one or a many-to-many), and every
row that points at such a row, and so on, is *reachable*. In every reachable row, every encrypted
field (``wayhome.core.fields.EncryptedField``) and every blind-index column (a name ending in
``_index``) is set to null (or empty when the column is not nullable), stored files are deleted,
and rows that are nothing but blind indexes of a person (``BLIND_INDEX_ROWS``) are deleted. Rows
are kept: codes, dates and statuses stay, so the statistics do not move.

Nothing is listed field by field: a model added later is covered as soon as it points (directly
or through another row) at a case, a member or a person. ``tests/retention/test_erasure.py``
fills every encrypted field of every reachable model with a canary and checks none survives.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models

from wayhome.core.blobs import blob_delete
from wayhome.core.fields import EncryptedField, EncryptedJSONField, EncryptedTextField

logger = logging.getLogger(__name__)

ROOTS = ("cases.case", "cases.casemember", "people.person")
#: Rows that hold only blind indexes of a person: deleted with the person's data.
BLIND_INDEX_ROWS = frozenset({"people.matchkey"})
#: Models never walked into: the audit
#: trail (no personal values, append-only) and the statistics facts (codes; kept on purpose).
NOT_WALKED = frozenset({"audit", "reporting.returnfact"})


def _walked(model: type[models.Model]) -> bool:
    meta = model._meta
    return meta.app_label not in NOT_WALKED and meta.label_lower not in NOT_WALKED


def erasable_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The columns of ``model`` that hold personal values or their traces."""
    result: list[models.Field[Any, Any]] = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.is_relation:
            continue
        if (
            isinstance(f, EncryptedField | models.FileField)
            or f.name.endswith("_index")
            or _is_blob(f)
        ):
            result.append(f)
    return result


def erased_value(f: models.Field[Any, Any]) -> Any:
    """What an erased column holds: null, else the empty value of its kind."""
    if f.null:
        return None
    if isinstance(f, EncryptedJSONField):
        return f.get_default() if f.has_default() else {}
    if isinstance(f, EncryptedTextField):
        return ""
    if isinstance(f, EncryptedField):
        return f.get_default() if f.has_default() else b""
    return ""


@dataclass(frozen=True)
class Link:
    """``model.field`` points at ``target`` (``many`` for a many-to-many)."""

    model: type[models.Model]
    field: str
    target: type[models.Model]
    many: bool


def links() -> list[Link]:
    """Every foreign key, one-to-one and many-to-many between walked models."""
    result: list[Link] = []
    for model in apps.get_models():
        if not _walked(model):
            continue
        for f in model._meta.concrete_fields:
            target = f.related_model
            if f.is_relation and isinstance(target, type) and _walked(target):
                result.append(Link(model, f.name, target, False))
        for m2m in model._meta.many_to_many:
            if m2m.related_model is not None and _walked(m2m.related_model):  # type: ignore[arg-type]
                result.append(Link(model, m2m.name, m2m.related_model, True))  # type: ignore[arg-type]
    return result


def reachable_models() -> set[type[models.Model]]:
    """The models whose rows can hang off a case, a member or a person (schema only)."""
    found = {apps.get_model(label) for label in ROOTS}
    all_links = links()
    changed = True
    while changed:
        changed = False
        for link in all_links:
            if link.target in found and link.model not in found:
                found.add(link.model)
                changed = True
    return found


@dataclass
class Plan:
    """The rows to erase, by model."""

    rows: dict[type[models.Model], set[Any]] = field(default_factory=lambda: defaultdict(set))

    def count(self) -> int:
        return sum(len(pks) for model, pks in self.rows.items() if erasable_fields(model))


def erasure_plan(
    *, case_ids: Iterable[Any], member_ids: Iterable[Any], person_ids: Iterable[Any]
) -> Plan:
    """Every row reachable from these cases, members and people. One query per link and round
    (a few dozen), whatever the number of rows."""
    return plan_from(
        {
            apps.get_model("cases.case"): set(case_ids),
            apps.get_model("cases.casemember"): set(member_ids),
            apps.get_model("people.person"): set(person_ids),
        }
    )


def record_plan(model: type[models.Model], pk: Any) -> Plan:
    """Every row reachable from one record that is not a case (an inquiry, a feedback), never
    entering a case, a member or a person (those follow the case rules)."""
    return plan_from({model: {pk}}, stop={apps.get_model(label) for label in ROOTS})


def plan_from(
    roots: dict[type[models.Model], set[Any]], *, stop: set[type[models.Model]] | None = None
) -> Plan:
    """Every row reachable from ``roots`` (rows of ``stop`` models are not entered)."""
    plan = Plan()
    for model, pks in roots.items():
        plan.rows[model] |= pks
    all_links = [link for link in links() if link.model not in (stop or set())]
    frontier: dict[type[models.Model], set[Any]] = {m: set(p) for m, p in plan.rows.items() if p}
    while frontier:
        found: dict[type[models.Model], set[Any]] = defaultdict(set)
        for link in all_links:
            targets = frontier.get(link.target)
            if not targets:
                continue
            pks = set(
                link.model._default_manager.filter(**{f"{link.field}__in": list(targets)})
                .order_by()
                .values_list("pk", flat=True)
                .distinct()
            )
            new = pks - plan.rows[link.model]
            if new:
                found[link.model] |= new
        for model, pks in found.items():
            plan.rows[model] |= pks
        frontier = dict(found)
    return plan


def erase(plan: Plan) -> int:
    """Erases the plan's rows (inside the caller's transaction); the number of rows changed.
    Files are deleted by the caller's ``on_commit`` hook (``files``)."""
    changed = 0
    for model, pks in plan.rows.items():
        if not pks:
            continue
        queryset = model._default_manager.filter(pk__in=list(pks))
        if model._meta.label_lower in BLIND_INDEX_ROWS:
            changed += queryset.delete()[0]
            continue
        columns = erasable_fields(model)
        if columns:
            changed += queryset.update(**{f.name: erased_value(f) for f in columns})
    return changed


def _is_blob(f: models.Field[Any, Any]) -> bool:
    return f.name == "blob" or f.name.endswith("_blob")


def stored_files(plan: Plan) -> list[tuple[models.Field[Any, Any], str]]:
    """The stored files the plan's rows point at, with their field (read before erasing)."""
    files: list[tuple[models.Field[Any, Any], str]] = []
    for model, pks in plan.rows.items():
        columns = [
            f for f in erasable_fields(model) if isinstance(f, models.FileField) or _is_blob(f)
        ]
        if not columns or not pks:
            continue
        names = [f.name for f in columns]
        for values in model._default_manager.filter(pk__in=list(pks)).values_list(*names):
            files.extend((f, str(v)) for f, v in zip(columns, values, strict=True) if v)
    return files


def delete_files(files: list[tuple[models.Field[Any, Any], str]]) -> None:
    """Deletes the files (after the commit that erased their names): blobs from the blob
    storage, file fields from their own storage. A failure is logged (the name only: a random
    object name, never a person's) and does not stop the others."""
    for f, name in files:
        try:
            if isinstance(f, models.FileField):
                f.storage.delete(name)
            else:
                blob_delete(name)
        except Exception:
            logger.exception("retention: could not delete the stored file %s", name)
