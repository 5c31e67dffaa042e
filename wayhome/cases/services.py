"""Writes about cases. Each runs in one transaction with its audit events.

``case_transition`` is the only way a case changes status: it locks the case, asks every guard
(``workflow.guards``) and either refuses with the complete list of unmet conditions or records
the move (``CaseTransition``) and audits it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm
from wayhome.audit.services import audit_record
from wayhome.cases.models import Case, CaseMember, CaseTransition, Relationship
from wayhome.cases.signals import case_transitioned
from wayhome.cases.workflow import MOVERS, TERMINAL, Context, Status, Unmet, guards
from wayhome.core.sequences import next_value
from wayhome.people.models import Person

CASE_FIELDS = (
    "programme",
    "category",
    "destination_country",
    "destination_region",
    "destination_place",
    "assigned_to",
    "funding_source",
    "notes",
)


class TransitionBlocked(Exception):
    """A move refused: ``unmet`` lists every condition not met, in a caseworker's words."""

    def __init__(self, unmet: list[Unmet]) -> None:
        super().__init__("; ".join(str(u.message) for u in unmet))
        self.unmet = unmet


def _allowed(actor: Any, perm: Perm, office_id: Any) -> None:
    if actor is not None and not has_perm(actor, perm, office_id):
        raise PermissionDenied


def case_reference(office: Office, year: int) -> str:
    """``DE-BER-2026-00042``: office code, year, a sequence per office and year."""
    number = next_value(f"case:{office.code}:{year}")
    return f"{office.code.upper()}-{year}-{number:05d}"


def _open_cases_of(people: Iterable[Person]) -> list[str]:
    open_statuses = [s for s in Status if s not in TERMINAL]
    return list(
        CaseMember.objects.filter(person__in=list(people), case__status__in=open_statuses)
        .values_list("case__reference", flat=True)
        .distinct()
    )


def _check_members(office: Office, people: list[Person]) -> None:
    if len({p.pk for p in people}) != len(people):
        raise ValidationError({"members": _("A person is listed twice on the case.")})
    if any(person.office_id != office.pk for person in people):
        raise ValidationError(
            {"members": _("Everyone on the case must be registered by the case's office.")}
        )
    if _open_cases_of(people):
        raise ValidationError(
            {
                "members": ValidationError(
                    _("Someone on this case is already on another open case."),
                    code="already_on_open_case",
                )
            }
        )


def case_create(
    *,
    actor: Any,
    office: Office,
    principal: Person,
    members: Iterable[tuple[Person, str]] = (),
    **data: Any,
) -> Case:
    """Opens a case for ``principal`` and the family members travelling with them.

    ``members``: (person, relationship) pairs besides the principal. The reference is allocated
    in the same transaction, so two concurrent creations never share one.
    """
    _allowed(actor, Perm.CASE_CREATE, office.pk)
    unknown = set(data) - set(CASE_FIELDS)
    if unknown:
        raise TypeError(f"unknown case fields: {', '.join(sorted(unknown))}")
    others = list(members)
    for _person, relationship in others:
        if relationship not in Relationship.values or relationship == Relationship.PRINCIPAL:
            raise ValidationError({"members": _("Choose the relationship of each member.")})
    case = Case(office=office, principal=principal, **data)
    case.reference = "pending"  # allocated below, inside the transaction
    case.full_clean(exclude=["reference"])
    with transaction.atomic():
        _check_members(office, [principal, *(person for person, _r in others)])
        case.reference = case_reference(office, timezone.now().year)
        case.status_changed_at = timezone.now()
        case.save(force_insert=True)
        CaseMember.objects.create(case=case, person=principal, relationship=Relationship.PRINCIPAL)
        for person, relationship in others:
            CaseMember.objects.create(case=case, person=person, relationship=relationship)
        audit_record(
            actor=actor,
            action="case.create",
            obj=case,
            details={"members": 1 + len(others), "programme": case.programme},
        )
    return case


def case_member_add(*, actor: Any, case: Case, person: Person, relationship: str) -> CaseMember:
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        _allowed(actor, Perm.CASE_CHANGE, locked.office_id)
        if locked.status not in (Status.REGISTERED, Status.COUNSELLING):
            raise ValidationError(
                _("Members can be added only before the application is submitted.")
            )
        if relationship not in Relationship.values or relationship == Relationship.PRINCIPAL:
            raise ValidationError({"relationship": _("Choose the relationship of the member.")})
        _check_members(locked.office, [person])
        member = CaseMember.objects.create(case=locked, person=person, relationship=relationship)
        audit_record(
            actor=actor,
            action="case.member_add",
            obj=locked,
            details={"relationship": relationship},
        )
    return member


def case_update(*, actor: Any, case: Case, version: int | None = None, **data: Any) -> Case:
    unknown = set(data) - set(CASE_FIELDS)
    if unknown:
        raise TypeError(f"unknown case fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        _allowed(actor, Perm.CASE_CHANGE, current.office_id)
        if version is not None and current.version != version:
            raise ValidationError(
                _("Someone else changed this case while you were editing. Reload and try again."),
                code="stale",
            )
        changed = sorted(name for name, value in data.items() if getattr(current, name) != value)
        if not changed:
            return current
        for name in changed:
            setattr(current, name, data[name])
        current.full_clean()
        current.version += 1
        current.save()
        audit_record(actor=actor, action="case.change", obj=current, details={"fields": changed})
    return current


def may_move(actor: Any, office_id: Any, target: str) -> bool:
    """Whether ``actor`` may ask for a move to ``target`` in the office (the guards decide the
    rest): "change case" or "approve", or a permission of ``workflow.MOVERS`` for that target."""
    perms = {Perm.CASE_CHANGE, Perm.CASE_APPROVE}
    if target in Status.values:
        perms |= {Perm(p) for p in MOVERS.get(Status(target), ())}
    return any(has_perm(actor, perm, office_id) for perm in perms)


def transition_unmet(*, actor: Any, case: Case, target: str, reason: str = "") -> list[Unmet]:
    """What stands between ``case`` and ``target`` now (for the "what is missing" panel)."""
    context = Context(
        case=case, source=Status(case.status), target=Status(target), actor=actor, reason=reason
    )
    return guards.unmet(context)


def case_transition(*, actor: Any, case: Case, target: str, reason: str = "") -> Case:
    """Moves ``case`` to ``target`` or raises ``TransitionBlocked`` listing every unmet condition.

    Needs "change case" in the case's office (approval's own rule is a guard). Records the move
    and audits it in the same transaction.
    """
    if target not in Status.values:
        raise ValidationError({"to": _("Unknown status.")})
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("office").get(pk=case.pk)
        _allowed(actor, Perm.CASE_VIEW, locked.office_id)
        if actor is not None and not may_move(actor, locked.office_id, target):
            raise PermissionDenied
        return transition_locked(actor=actor, locked=locked, target=target, reason=reason)


def transition_locked(*, actor: Any, locked: Case, target: str, reason: str = "") -> Case:
    """The move itself, for a case already locked (``select_for_update``) inside a transaction
    by a caller that has authorised ``actor`` (``case_transition``, or the arrival confirmed by
    the origin office): guards, record, audit, signal."""
    if target not in Status.values:
        raise ValidationError({"to": _("Unknown status.")})
    reason = " ".join(reason.split())
    with transaction.atomic():
        unmet = transition_unmet(actor=actor, case=locked, target=target, reason=reason)
        if unmet:
            raise TransitionBlocked(unmet)
        source = locked.status
        if target == Status.ON_HOLD:
            locked.held_from = source
        elif source == Status.ON_HOLD:
            locked.held_from = ""
        if target == Status.APPLICATION_SUBMITTED:
            locked.submitted_by = actor
        locked.status = target
        locked.status_changed_at = timezone.now()
        locked.version += 1
        locked.save()
        CaseTransition.objects.create(
            case=locked, source=source, target=target, actor=actor, reason=reason
        )
        audit_record(
            actor=actor,
            action="case.transition",
            obj=locked,
            details={"from": source, "to": target},
        )
        case_transitioned.send(
            sender=Case, case=locked, source=source, target=target, actor=actor, reason=reason
        )
    return locked
