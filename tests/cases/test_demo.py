"""The demo cases of ``seed_demo``: about 200, over every status, families, idempotent."""

from __future__ import annotations

import itertools
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from wayhome.accounts.models import Office, User
from wayhome.cases.demo import DEMO_CASES_BY_STATUS
from wayhome.cases.models import Case, CaseMember, CaseTransition
from wayhome.cases.workflow import Status
from wayhome.reintegration import access
from wayhome.reintegration.models import Closure, Plan, PlanStatus
from wayhome.reintegration.selectors import partner_referrals

pytestmark = pytest.mark.django_db


def test_seed_demo_opens_cases_over_every_status_once() -> None:
    call_command("seed_demo", stdout=StringIO())
    offices = set(Office.objects.filter(code__in=["de-ber", "gr-ath"]).values_list("pk", flat=True))
    # The open caseload (the historical returns of the statistics step are closed, "HIST-").
    current = Case.objects.exclude(reference__startswith="HIST-")
    assert current.count() == sum(DEMO_CASES_BY_STATUS.values()) == 200
    assert set(Case.objects.values_list("office_id", flat=True)) == offices
    by_status = dict(current.values_list("status").annotate(n=Count("id")))
    assert by_status == {str(status): n for status, n in DEMO_CASES_BY_STATUS.items()}
    assert set(by_status) == set(Status.values)
    families = current.annotate(n=Count("members")).filter(n__gt=1).count()
    assert families >= 40
    # Every case's history leads from "registered" to its status, step by allowed step.
    for case in current.filter(status=Status.CLOSED)[:3]:
        steps = list(case.transitions.order_by("occurred_at", "id"))
        assert steps[0].source == Status.REGISTERED
        assert steps[-1].target == Status.CLOSED
        assert all(a.target == b.source for a, b in itertools.pairwise(steps))
    counts = (Case.objects.count(), CaseMember.objects.count(), CaseTransition.objects.count())
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert (Case.objects.count(), CaseMember.objects.count(), CaseTransition.objects.count()) == (
        counts
    )
    _the_demo_reintegration_is_in_reach_of_its_users()


def _the_demo_reintegration_is_in_reach_of_its_users() -> None:
    """The origin office's reintegration officer works the cases handed over; the partner user
    sees referrals; every approved plan is within its cap; closed cases carry a reason."""
    officer = User.objects.get(email="reintegration@demo.wayhome.org")
    partner_user = User.objects.get(email="partner@demo.wayhome.org")
    worked = access.cases_worked(officer)
    assert worked.filter(status=Status.REINTEGRATION_ASSISTANCE).exists()
    assert partner_referrals(partner_user).exists()
    for plan in Plan.objects.filter(status=PlanStatus.APPROVED):
        approval = plan.approvals.get()
        assert approval.total <= approval.cap_per_household
    assert (
        Closure.objects.exclude(case__reference__startswith="HIST-").count()
        == Case.objects.exclude(reference__startswith="HIST-")
        .filter(status=Status.CLOSED)
        .filter(destination_country__in=["NG", "IQ", "SN"])
        .count()
    )
