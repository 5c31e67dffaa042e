"""How long the reintegration views take on a large programme: the reconciliation of budgets and
deliveries, the reintegration work queue, the cap check of one plan, and a partner's referrals.
Runs on a throwaway test database.

    WAYHOME_DATABASE_URL=postgres://postgres@127.0.0.1:55436/wayhome_bench \\
        .venv/bin/python bench/reintegration.py [cases]      (default 2000)

Builds ``cases`` arrived cases in one office, each with an approved plan of three lines (two in
EUR, one in NGN) and a delivery on two of them, half of the cases referred to one partner, and
times, best of 5:
- ``selectors.reconciliation`` by case and by programme (approved, delivered, remaining per
  currency, over every approved line);
- ``selectors.reintegration_queue`` of a programme manager;
- ``services.plan_check`` of one plan (the cap check an approval runs);
- a partner user's referral list with each shared package decrypted.
The limit of each is the bare read behind it: one ``SELECT ... GROUP BY`` of the lines joined to
their deliveries (reconciliation), of the submitted plans (queue), of the plan's lines (check),
of the referral rows without decryption (partner list).
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from timing import bare, best, report  # noqa: E402

from wayhome.accounts.models import Office, RoleGrant, User  # noqa: E402
from wayhome.accounts.permissions import Role  # noqa: E402
from wayhome.cases.models import Case, CaseMember  # noqa: E402
from wayhome.cases.workflow import Status  # noqa: E402
from wayhome.movements.models import Arrival, ConfirmedBy  # noqa: E402
from wayhome.people.models import Person  # noqa: E402
from wayhome.reintegration import selectors, services  # noqa: E402
from wayhome.reintegration.models import (  # noqa: E402
    BudgetLine,
    Category,
    Delivery,
    DeliveryMode,
    Dimension,
    Partner,
    PartnerKind,
    PaymentMethod,
    Plan,
    PlanApproval,
    PlanStatus,
    ProgrammeCap,
    Referral,
)

LINES = (("900", "EUR"), ("450", "EUR"), ("250000", "NGN"))


def build(count: int) -> tuple[User, User, Plan]:
    office = Office.objects.create(code="bench", name="Bench", country="DE")
    manager = User.objects.create(email="pm@example.org", full_name="PM")
    RoleGrant.objects.create(user=manager, office=office, role=Role.MANAGER)
    ProgrammeCap.objects.create(
        office=office,
        programme="AVRR",
        currency="EUR",
        per_person=Decimal(2000),
        per_household=Decimal(5000),
    )
    partner = Partner.objects.create(
        office=office,
        name="Bench Partner",
        kind=PartnerKind.NGO,
        countries=["NG"],
        services=[Category.VOCATIONAL],
        agreement_signed_on=timezone.localdate(),
    )
    desk = User.objects.create(email="desk@partner.example", full_name="Desk")
    partner.users.add(desk)
    now = timezone.now()
    today = timezone.localdate()
    people = Person.objects.bulk_create(
        [
            Person(
                office=office, given_name=f"Given{n}", family_name=f"Family{n}", nationality="NG"
            )
            for n in range(count)
        ]
    )
    cases = Case.objects.bulk_create(
        [
            Case(
                reference=f"BENCH-{n:06d}",
                office=office,
                programme="AVRR",
                category="stranded",
                status=Status.REINTEGRATION_ASSISTANCE if n % 4 else Status.ARRIVED,
                principal=people[n],
                destination_country="NG",
                funding_source=f"Donor {n % 5}",
                status_changed_at=now,
            )
            for n in range(count)
        ]
    )
    members = CaseMember.objects.bulk_create(
        [
            CaseMember(case=case, person=people[n], relationship="principal")
            for n, case in enumerate(cases)
        ]
    )
    Arrival.objects.bulk_create(
        [
            Arrival(
                case=case,
                arrived_on=today - datetime.timedelta(days=n % 60),
                confirmed_by=ConfirmedBy.ORIGIN_OFFICE,
                reception_details="",
                office=office,
            )
            for n, case in enumerate(cases)
        ]
    )
    planned = [case for case in cases if case.status != Status.ARRIVED]
    plans = Plan.objects.bulk_create(
        [
            Plan(
                case=case,
                office=office,
                status=PlanStatus.APPROVED if n % 10 else PlanStatus.SUBMITTED,
                needs="Needs",
            )
            for n, case in enumerate(planned)
        ]
    )
    lines = BudgetLine.objects.bulk_create(
        [
            BudgetLine(
                plan=plan,
                dimension=Dimension.ECONOMIC,
                category=Category.BUSINESS,
                description="Equipment",
                amount=Decimal(amount),
                currency=currency,
                delivery_mode=DeliveryMode.CASH,
                approved_amount=Decimal(amount) if plan.status == PlanStatus.APPROVED else None,
            )
            for plan in plans
            for amount, currency in LINES
        ]
    )
    PlanApproval.objects.bulk_create(
        [
            PlanApproval(
                plan=plan,
                revision=1,
                cap_currency="EUR",
                cap_per_person=Decimal(2000),
                cap_per_household=Decimal(5000),
                persons=1,
                rates={"NGN": "0.00058"},
                total=Decimal("1495.00"),
            )
            for plan in plans
            if plan.status == PlanStatus.APPROVED
        ]
    )
    Delivery.objects.bulk_create(
        [
            Delivery(
                line=line,
                delivered_on=today,
                amount=line.approved_amount / 2,
                method=PaymentMethod.MOBILE,
                delivered_by="Officer",
                office=office,
            )
            for line in lines
            if line.approved_amount is not None and line.currency == "EUR"
        ]
    )
    referrals = Referral.objects.bulk_create(
        [
            Referral(
                case=case,
                partner=partner,
                category=Category.VOCATIONAL,
                fields=["given_name"],
                package={"people": [{"label": "Principal applicant (1)", "given_name": "X"}]},
                office=office,
                sent_at=now,
            )
            for n, case in enumerate(cases)
            if n % 2
        ]
    )
    Referral.members.through.objects.bulk_create(
        [
            Referral.members.through(
                referral=referral, casemember=members[cases.index(referral.case)]
            )
            for referral in referrals[:10]
        ]
    )
    submitted = next(p for p in plans if p.status == PlanStatus.SUBMITTED)
    return manager, desk, submitted


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        started = time.perf_counter()
        manager, desk, plan = build(count)
        print(f"built {count} cases in {time.perf_counter() - started:.1f} s ({connection.vendor})")
        grouped = (
            "SELECT c.{key}, l.currency, SUM(l.approved_amount), SUM(d.total) FROM "
            "reintegration_budgetline l JOIN reintegration_plan p ON p.id = l.plan_id JOIN "
            "cases_case c ON c.id = p.case_id LEFT JOIN (SELECT line_id, SUM(amount) AS total "
            "FROM reintegration_delivery GROUP BY line_id) d ON d.line_id = l.id WHERE "
            "l.approved_amount IS NOT NULL GROUP BY c.{key}, l.currency"
        )
        for by, key in (("case", "reference"), ("programme", "programme")):

            def reconcile(by: str = by) -> list[dict[str, Any]]:
                return selectors.reconciliation(manager, by=by)

            seconds, queries, rows = best(reconcile)
            report(
                f"reconciliation by {by} ({len(rows)} rows)",
                seconds,
                queries,
                bare(grouped.format(key=key), []),
            )
        seconds, queries, queue = best(lambda: selectors.reintegration_queue(manager))
        limit = bare("SELECT id FROM reintegration_plan WHERE status = 'submitted'", [])
        report(
            f"work queue ({len(queue.plans_due)} plans due, {len(queue.plans_to_approve)} to "
            "approve)",
            seconds,
            queries,
            limit,
        )
        seconds, queries, check = best(lambda: services.plan_check(plan, {"NGN": "0.00058"}))
        assert check.ok, check.problems
        limit = best(lambda: list(BudgetLine.objects.filter(plan=plan).values_list("amount")))[0]
        report("cap check of one plan", seconds, queries, limit)
        seconds, queries, shown = best(
            lambda: [services.shared_package(r) for r in selectors.partner_referrals(desk)]
        )
        limit = bare(
            "SELECT id, status FROM reintegration_referral WHERE partner_id IS NOT NULL", []
        )
        report(f"partner's referrals ({len(shown)}, packages decrypted)", seconds, queries, limit)
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)


if __name__ == "__main__":
    main()
