"""The navigation: one list, each entry shown to users holding its permission somewhere."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.permissions import Perm


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    perm: Perm | None  # None: every signed-in user (unless ``when`` says otherwise)
    when: Callable[[Any], bool] | None = None  # an extra condition on the user

    def shown_to(self, user: Any, has_perm_anywhere: Callable[[Any, Perm], bool]) -> bool:
        if self.when is not None and not self.when(user):
            return False
        return self.perm is None or has_perm_anywhere(user, self.perm)


def _partner_user(user: Any) -> bool:
    """A partner user's entry. Asked only of users without any office permission (already
    known for the request), so that staff pages pay no query for it; a member of staff who is
    also a partner's user reaches ``/partner/`` from the home page."""
    from wayhome.accounts.policies import is_office_staff
    from wayhome.reintegration.selectors import is_partner_user

    return not is_office_staff(user) and is_partner_user(user)


NAVIGATION: list[NavItem] = [
    NavItem(_("Work queue"), "core:home", None),
    NavItem(_("Cases"), "cases:case-list", Perm.CASE_VIEW),
    NavItem(_("People"), "people:person-list", Perm.PERSON_VIEW),
    NavItem(_("Eligibility rules"), "eligibility:ruleset-list", Perm.CASE_VIEW),
    NavItem(_("Safety"), "safety:dashboard", Perm.CASE_VIEW),
    NavItem(_("Departures"), "movements:departures", Perm.CASE_VIEW),
    NavItem(_("Travel work queue"), "movements:queue", Perm.MOVEMENT_MANAGE),
    NavItem(_("Hand-overs"), "movements:handover-list", Perm.CASE_VIEW),
    NavItem(_("Reintegration"), "reintegration:queue", Perm.CASE_VIEW),
    NavItem(_("Partners"), "reintegration:partner-list", Perm.CASE_VIEW),
    NavItem(_("Referrals to us"), "partner:referral-list", None, when=_partner_user),
    NavItem(_("Surveys"), "surveys:followups", Perm.SURVEY_CONDUCT),
    NavItem(_("Statistics"), "reporting:dashboard", Perm.REPORT_VIEW),
    NavItem(_("Survey results"), "surveys:results", Perm.REPORT_VIEW),
    NavItem(_("Survey instruments"), "surveys:instrument-list", Perm.SURVEY_MANAGE),
    NavItem(_("Imports"), "imports:run-list", Perm.IMPORT_RUN),
    NavItem(_("My exports"), "exports:export-list", Perm.EXPORT),
    NavItem(_("Inquiries"), "outreach:inquiry-list", Perm.FEEDBACK_HANDLE),
    NavItem(_("Feedback"), "feedback:feedback-list", Perm.FEEDBACK_HANDLE),
    NavItem(_("Misconduct reports"), "feedback:misconduct-list", Perm.MISCONDUCT_HANDLE),
    NavItem(_("Portal pages"), "outreach:country-page-list", Perm.PORTAL_MANAGE),
    NavItem(_("Audit trail"), "audit:event-list", Perm.AUDIT_VIEW),
    NavItem(_("Break-the-glass accesses"), "assessments:breakglass-list", Perm.DATA_PROTECTION),
    NavItem(_("Access alerts"), "protection:alert-list", Perm.DATA_PROTECTION),
    NavItem(_("Transfer register"), "protection:transfer-list", Perm.DATA_PROTECTION),
    NavItem(_("Retention"), "retention:rule-list", Perm.DATA_PROTECTION),
    NavItem(_("Requests about personal data"), "protection:request-list", Perm.DATA_PROTECTION),
    NavItem(_("API tokens"), "api:token-list", None),
]
