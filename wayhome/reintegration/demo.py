"""Demo reintegration for ``seed_demo``: programme caps in the host offices, partners in the
origin offices (the demo partner user signs in for the Lagos one), and, for the demo cases after
arrival whose country of return has a demo origin office: the arrival, a hand-over taken over by
that office, plans (drafted, submitted, approved with a delivery, by status), referrals to the
partner and the closure of closed cases. Made through the services where they allow it (the
demo's statuses were set directly, see ``cases/demo.py``); DEMO DATA ONLY."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from wayhome.accounts.models import Office, User
from wayhome.cases.models import Case
from wayhome.cases.workflow import Status
from wayhome.consent.models import DataSharingConsent
from wayhome.consent.services import consent_give
from wayhome.movements.models import Arrival, ConfirmedBy, Handover
from wayhome.movements.services import handover_acknowledge, handover_send
from wayhome.reintegration import services
from wayhome.reintegration.models import (
    Category,
    Closure,
    ClosureReason,
    DeliveryMode,
    Dimension,
    Level,
    Partner,
    PartnerKind,
    PaymentMethod,
    Plan,
)

S = Status
RK = DataSharingConsent.RecipientKind
PURPOSE = DataSharingConsent.Purpose.REINTEGRATION_ASSISTANCE

_CAPS = {"AVRR": ("2000", "5000"), "AVR": ("500", "1500"), "VHR": ("1500", "4000")}
_ORIGIN_OF = {"NG": "ng-los", "IQ": "iq-bgw", "SN": "sn-dkr"}
_PARTNERS = {
    "ng-los": ("Lagos Skills Centre", "NG", ["NG-LA", "NG-OG"], "NGN"),
    "iq-bgw": ("Baghdad Livelihoods Network", "IQ", ["IQ-BG"], "IQD"),
    "sn-dkr": ("Dakar Entreprendre", "SN", ["SN-DK"], "XOF"),
}
_RATES = {"NGN": "0.00058", "IQD": "0.00070", "XOF": "0.00152"}
_LINES = [
    (Category.BUSINESS, Dimension.ECONOMIC, "Equipment for a tailoring workshop", "900"),
    (Category.HOUSING, Dimension.SOCIAL, "Three months' rent", "450"),
    (Category.PSYCHOSOCIAL, Dimension.PSYCHOSOCIAL, "Counselling sessions", "150"),
]
AFTER_ARRIVAL = [S.ARRIVED, S.REINTEGRATION_PLANNING, S.REINTEGRATION_ASSISTANCE, S.MONITORING]


def _partners(today: datetime.date) -> dict[str, Partner]:
    result: dict[str, Partner] = {}
    for code, (name, country, regions, _currency) in _PARTNERS.items():
        office = Office.objects.filter(code=code).first()
        if office is None:
            continue
        partner = Partner.objects.filter(office=office, name=name).first() or (
            services.partner_create(
                actor=None,
                office=office,
                name=name,
                kind=PartnerKind.NGO,
                countries=[country],
                regions=regions,
                services=[Category.BUSINESS, Category.VOCATIONAL, Category.PSYCHOSOCIAL],
                contacts="Programme desk (demo)",
                agreement_reference=f"DSA-{today.year}-{code.upper()}",
                agreement_signed_on=today - datetime.timedelta(days=90),
                agreement_expires_on=today + datetime.timedelta(days=640),
            )
        )
        result[code] = partner
    partner_user = User.objects.filter(email__startswith="partner@").first()
    if partner_user is not None and "ng-los" in result:
        result["ng-los"].users.add(partner_user)
    return result


def _hand_over(case: Case, origin: Office, today: datetime.date) -> None:
    members = list(case.members.filter(travelling=True).select_related("person"))
    for member in members:
        consent_give(
            actor=None,
            person=member.person,
            purpose=PURPOSE,
            recipient_kind=RK.ORIGIN_OFFICE,
            recipient_office=origin,
            given_on=today - datetime.timedelta(days=40),
        )
    handover = handover_send(
        actor=None,
        case=case,
        recipient_kind=RK.ORIGIN_OFFICE,
        recipient_office=origin,
        purpose=PURPOSE,
        members=members,
        needs="Help to restart a small business (demo)",
    )
    handover_acknowledge(actor=None, handover=handover)


def _plan(case: Case, partner: Partner | None, rng: random.Random) -> None:
    per_person = Decimal(_CAPS.get(case.programme, _CAPS["AVRR"])[0])
    scale = per_person / Decimal(2000)  # the lines are written for the AVRR cap
    plan = services.plan_create(
        actor=None,
        case=case,
        needs="Wants to reopen a tailoring workshop; the family needs housing for a few months.",
        skills="Ten years of tailoring; basic bookkeeping.",
    )
    currency = _PARTNERS[partner.office.code][3] if partner is not None else "EUR"
    for category, dimension, description, amount in _LINES[: rng.randint(1, 3)]:
        local = currency != "EUR" and category == Category.HOUSING
        services.line_add(
            actor=None,
            plan=plan,
            dimension=dimension,
            level=Level.INDIVIDUAL,
            category=category,
            description=description,
            amount=(Decimal(amount) * scale / Decimal(_RATES[currency])).quantize(Decimal(1))
            if local
            else (Decimal(amount) * scale).quantize(Decimal("0.01")),
            currency=currency if local else "EUR",
            delivery_mode=DeliveryMode.CASH
            if category != Category.PSYCHOSOCIAL
            else DeliveryMode.SERVICE,
            provider=partner.name if partner is not None else "",
        )
    if case.status == S.REINTEGRATION_PLANNING:
        if rng.random() < 0.5:
            services.plan_submit(actor=None, plan=plan)
        return
    services.plan_submit(actor=None, plan=plan)
    services.plan_approve(actor=None, plan=plan, rates=_RATES)
    first = plan.lines.order_by("created_at").first()
    if first is not None and first.approved_amount:
        services.delivery_record(
            actor=None,
            line=first,
            delivered_on=timezone.localdate() - datetime.timedelta(days=rng.randint(1, 20)),
            amount=(first.approved_amount / 2).quantize(Decimal("0.01")),
            method=PaymentMethod.MOBILE,
            delivered_by="Reintegration officer (demo)",
        )


def _refer(case: Case, partner: Partner, today: datetime.date) -> None:
    principal = case.members.order_by("created_at", "id").first()
    if principal is None:
        return
    consent_give(
        actor=None,
        person=principal.person,
        purpose=PURPOSE,
        recipient_kind=RK.PARTNER,
        recipient_name=partner.name,
        given_on=today - datetime.timedelta(days=20),
    )
    services.referral_send(
        actor=None,
        case=case,
        partner=partner,
        members=[principal],
        fields=["given_name", "family_name", "languages"],
        category=Category.VOCATIONAL,
        note="Vocational training in tailoring (demo referral)",
    )


def seed_reintegration(ctx: Any) -> int:
    """Caps, partners and the reintegration of the demo cases after arrival, unless the demo
    already has plans (all or nothing)."""
    if Plan.objects.exists() or Closure.objects.exists():
        return 0
    with transaction.atomic():
        return _seed()


def _seed() -> int:
    rng = random.Random(55)  # noqa: S311 (synthetic demo data)
    today = timezone.localdate()
    made = 0
    for office in Office.objects.filter(code__in=["de-ber", "gr-ath"]):
        for programme, (per_person, per_household) in _CAPS.items():
            services.cap_set(
                actor=None,
                office=office,
                programme=programme,
                currency="EUR",
                per_person=Decimal(per_person),
                per_household=Decimal(per_household),
            )
            made += 1
    partners = _partners(today)
    made += len(partners)
    origins = {o.code: o for o in Office.objects.filter(code__in=list(_ORIGIN_OF.values()))}
    cases = Case.objects.filter(
        office__code__in=["de-ber", "gr-ath"],
        status__in=[*AFTER_ARRIVAL, S.CLOSED],
        destination_country__in=list(_ORIGIN_OF),
    ).select_related("office")
    for case in cases.order_by("reference"):
        origin = origins.get(_ORIGIN_OF[case.destination_country])
        if origin is None:
            continue
        if not Arrival.objects.filter(case=case).exists():
            Arrival.objects.create(
                case=case,
                arrived_on=today - datetime.timedelta(days=rng.randint(3, 60)),
                confirmed_by=ConfirmedBy.ORIGIN_OFFICE,
                reception_details="Met at the airport by the origin office (demo)",
                office=origin,
            )
        if case.status == S.CLOSED:
            Closure.objects.create(
                case=case,
                reason=rng.choice(ClosureReason.values),
                closed_from=S.MONITORING,
                office=origin,
            )
            made += 1
            continue
        if not Handover.objects.filter(case=case).exists():
            _hand_over(case, origin, today)
        partner = partners.get(origin.code)
        if case.status != S.ARRIVED:
            _plan(case, partner, rng)
        if partner is not None and case.status == S.REINTEGRATION_ASSISTANCE and rng.random() < 0.6:
            _refer(case, partner, today)
        made += 1
    return made
