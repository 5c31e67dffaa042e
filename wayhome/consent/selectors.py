"""Reads about voluntariness and consent, through the case's office policy (404 otherwise).

``consent_summary(case)`` is what the case page shows in its consent panel
(``{% include "consent/case_panel.html" with consent=... %}``): per member, the sessions attended,
the state of the declaration, capacity and representation, data-sharing consents, and what is
still missing before the application can be submitted. It names nobody: members appear by their
display label ("Spouse or partner (2)").
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import OfficePolicy, has_perm
from wayhome.audit.services import audit_record
from wayhome.cases.models import Case, CaseMember
from wayhome.cases.selectors import case_get
from wayhome.consent.models import (
    DataSharingConsent,
    RepresentativeDecision,
    VoluntarinessDeclaration,
    Withdrawal,
)
from wayhome.consent.rules import MemberState, member_states
from wayhome.people.models import Person

#: A person's consents are read and recorded with the case permissions of the person's office.
consent_person_policy = OfficePolicy(Person, view=Perm.CASE_VIEW)


def member_get(
    user: Any, case_id: Any, member_id: Any, *, perm: Perm | None = None
) -> tuple[Case, CaseMember]:
    """The case and one of its members, if ``user`` may see the case (and holds ``perm``)."""
    case = case_get(user, case_id, perm=perm)
    try:
        member = (
            CaseMember.objects.select_related("person", "case")
            .defer("person__photo")
            .get(pk=member_id, case=case)
        )
    except (CaseMember.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    return case, member


def member_state(case: Case, member: CaseMember) -> MemberState:
    return next(state for state in member_states(case) if state.member.pk == member.pk)


def declaration_current(member: CaseMember) -> VoluntarinessDeclaration | None:
    """The member's declaration in force (the latest recorded), without the form's bytes."""
    return member.declarations.defer("signed_form").first()


def declaration_form_read(user: Any, case_id: Any, member_id: Any) -> VoluntarinessDeclaration:
    """The declaration in force with its signed form, for a user who may see the case; else 404.
    Audited as a download."""
    case, member = member_get(user, case_id, member_id, perm=Perm.CASE_VIEW)
    declaration = member.declarations.first()
    if declaration is None or not declaration.has_signed_form or not declaration.signed_form:
        raise Http404
    audit_record(
        actor=user,
        action="consent.form_download",
        obj=declaration,
        office_id=case.office_id,
        details={"content_type": declaration.signed_form_type},
    )
    return declaration


def decision_form_read(
    user: Any, case_id: Any, member_id: Any, decision_id: Any
) -> RepresentativeDecision:
    """A representative's decision on a member of a case the user may see, with its signed form;
    else 404. Audited as a download."""
    case, member = member_get(user, case_id, member_id, perm=Perm.CASE_VIEW)
    try:
        decision = member.representative_decisions.get(pk=decision_id)
    except (RepresentativeDecision.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    if not decision.has_signed_form or not decision.signed_form:
        raise Http404
    audit_record(
        actor=user,
        action="consent.form_download",
        obj=decision,
        office_id=case.office_id,
        details={"content_type": decision.signed_form_type},
    )
    return decision


def consent_person_get(user: Any, person_id: Any, *, perm: Perm | None = None) -> Person:
    return consent_person_policy.get_or_404(
        user, person_id, perm=perm, queryset=Person.objects.defer("photo")
    )


def sharing_consents(person: Person) -> QuerySet[DataSharingConsent]:
    return DataSharingConsent.objects.filter(person=person).select_related("recipient_office")


def consent_get(person: Person, consent_id: Any) -> DataSharingConsent:
    try:
        return sharing_consents(person).get(pk=consent_id)
    except (DataSharingConsent.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def consent_summary(case: Case, actor: Any = None) -> dict[str, Any]:
    """What the case page's consent panel shows (see the module's docstring).

    ``{"case", "withdrawal", "travellers": [...], "unmet": [...], "ready", "can_change"}``; each
    traveller: ``member``, ``label``, ``travelling``, ``child``, ``lacks_capacity``,
    ``sessions`` (attended), ``declaration`` (in force or None), ``declaration_counts``,
    ``capacity``, ``representatives``, ``representative_agrees``, ``consents`` (the person's
    data-sharing consents) and ``unmet`` (what is missing for this member).
    """
    states = member_states(case)
    person_ids = [state.member.person_id for state in states]
    consents: dict[Any, list[DataSharingConsent]] = {pk: [] for pk in person_ids}
    for consent in DataSharingConsent.objects.filter(person_id__in=person_ids).select_related(
        "recipient_office"
    ):
        consents[consent.person_id].append(consent)
    travellers: list[dict[str, Any]] = [
        {
            "member": state.member,
            "label": state.label,
            "travelling": state.member.travelling,
            "child": state.child,
            "lacks_capacity": state.lacks_capacity,
            "sessions": state.sessions,
            "declaration": state.declaration,
            "declaration_counts": bool(state.declaration and state.declaration.counts),
            "capacity": state.capacity,
            "representatives": state.representatives,
            "representative_agrees": state.representative_agrees,
            "consents": consents[state.member.person_id],
            "unmet": state.unmet if state.member.travelling else [],
        }
        for state in states
    ]
    unmet = [item for state in states if state.member.travelling for item in state.unmet]
    return {
        "case": case,
        "withdrawal": Withdrawal.objects.filter(case=case).first(),
        "travellers": travellers,
        "unmet": unmet,
        "ready": not unmet and any(t["travelling"] for t in travellers),
        "can_change": actor is not None and has_perm(actor, Perm.CASE_CHANGE, case.office_id),
    }
