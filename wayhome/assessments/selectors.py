"""Reads about vulnerability, through the case's office policy (another office: 404).

Flags, and each assessment's summary (kind, date, whether it satisfies its safeguard), are shown
to whoever may see the case. An assessment's details (``DETAIL_FIELDS``) are read only through
``assessment_details``, which checks the kind's sensitive permission in the case's office, or an
active break-the-glass access, and audits every read.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm, offices_with
from wayhome.assessments.models import Assessment, BreakGlassAccess, Screening
from wayhome.assessments.rules import MemberSafety, member_safety
from wayhome.assessments.services import may_record
from wayhome.audit.services import audit_record
from wayhome.cases.models import Case, CaseMember
from wayhome.consent.selectors import member_get

__all__ = [
    "assessment_details",
    "assessment_get",
    "break_glass_active",
    "break_glass_list",
    "details_allowed",
    "member_get",
    "member_safety_get",
    "safety_summary",
    "screening_history",
]


def member_safety_get(case: Case, member: CaseMember) -> MemberSafety:
    return next(state for state in member_safety(case) if state.member.pk == member.pk)


def screening_history(member: CaseMember) -> QuerySet[Screening]:
    return Screening.objects.filter(member=member)


def assessment_get(user: Any, case_id: Any, member_id: Any, assessment_id: Any) -> Assessment:
    """An assessment of a member of a case ``user`` may see; else 404. Summary only: reading the
    details goes through ``assessment_details``."""
    _case, member = member_get(user, case_id, member_id, perm=Perm.CASE_VIEW)
    try:
        return (
            Assessment.objects.select_related("member__case")
            .filter(member=member)
            .get(pk=assessment_id)
        )
    except (Assessment.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def break_glass_active(user: Any, assessment: Assessment) -> BreakGlassAccess | None:
    return (
        BreakGlassAccess.objects.filter(
            user=user, assessment=assessment, expires_at__gt=timezone.now()
        )
        .order_by("-expires_at")
        .first()
    )


def details_allowed(user: Any, assessment: Assessment) -> bool:
    office_id = assessment.member.case.office_id
    if has_perm(user, assessment.perm, office_id):
        return True
    return break_glass_active(user, assessment) is not None


def assessment_details(user: Any, assessment: Assessment) -> bool:
    """Whether ``user`` may read the details of ``assessment``; when so, the read is audited
    (with how: the permission or a break-the-glass access)."""
    office_id = assessment.member.case.office_id
    if has_perm(user, assessment.perm, office_id):
        how = "permission"
    elif break_glass_active(user, assessment) is not None:
        how = "break_glass"
    else:
        return False
    audit_record(
        actor=user,
        action="assessments.details_view",
        obj=assessment,
        office_id=office_id,
        details={"kind": assessment.kind, "access": how},
    )
    return True


def break_glass_list(user: Any) -> QuerySet[BreakGlassAccess]:
    """Break-the-glass accesses in the offices where ``user`` is a data protection officer."""
    return BreakGlassAccess.objects.filter(
        office_id__in=offices_with(user, Perm.DATA_PROTECTION)
    ).select_related("user", "assessment", "assessment__member__case", "office")


def safety_summary(case: Case, actor: Any = None) -> dict[str, Any]:
    """What the case page's vulnerability panel shows: per traveller, the flags in force and
    what is missing; no details."""
    states = member_safety(case)
    return {
        "case": case,
        "travellers": states,
        "unmet": [item for state in states for item in state.unmet],
        "flagged": any(state.flags for state in states),
        "can_change": actor is not None and may_record(actor, case.office_id),
    }
