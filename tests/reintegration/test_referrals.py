"""Referrals: only with the person's consent for that partner, under an agreement in force,
carrying the chosen fields only; ended by a revoked consent or a closed case; an unanswered one
is reminded, then escalated, on schedule (a controlled clock)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.conftest import Personas
from tests.factories import UserFactory
from tests.reintegration.factories import arrived, consent_for, partner_of, refer
from wayhome.accounts.permissions import Role
from wayhome.cases.models import Case
from wayhome.consent.services import consent_revoke
from wayhome.reintegration import services
from wayhome.reintegration.models import Category, Partner, Referral, ReferralStatus
from wayhome.reintegration.tasks import remind_and_escalate

pytestmark = pytest.mark.django_db

CANARY_FAMILY = "Zqfamilycanary"


@pytest.fixture
def case(personas: Personas) -> Case:
    return arrived(personas.office_a)


@pytest.fixture
def partner(personas: Personas) -> Partner:
    return partner_of(personas.office_a, name="Lagos Skills Centre")


def send(case: Case, partner: Partner, **kwargs: object) -> Referral:
    principal = case.members.order_by("created_at", "id").first()
    values: dict[str, object] = {
        "members": [principal],
        "category": Category.VOCATIONAL,
        "fields": ["given_name"],
    }
    values.update(kwargs)
    return services.referral_send(actor=None, case=case, partner=partner, **values)  # type: ignore[arg-type]


def no_consent(call: object) -> str:
    before = Referral.objects.count()
    with pytest.raises(ValidationError) as refused:
        call()  # type: ignore[operator]
    assert Referral.objects.count() == before
    return str(refused.value)


def test_a_referral_without_consent_is_refused(case: Case, partner: Partner) -> None:
    message = no_consent(lambda: send(case, partner))
    assert "Lagos Skills Centre" in message
    assert "Principal applicant (1)" in message
    assert case.principal.family_name not in message


def test_consent_for_another_partner_or_revoked_is_no_consent(
    personas: Personas, case: Case, partner: Partner
) -> None:
    principal = case.members.get()
    other = partner_of(personas.office_a, name="Another Partner")
    consent_for(principal, other)
    no_consent(lambda: send(case, partner))
    consent = consent_for(principal, partner)
    consent_revoke(actor=None, consent=consent)
    no_consent(lambda: send(case, partner))
    consent_for(principal, partner)
    assert send(case, partner).status == ReferralStatus.SENT


def test_every_person_referred_must_have_consented(personas: Personas, partner: Partner) -> None:
    family = arrived(personas.office_a, with_child=True)
    principal, kid = list(family.members.order_by("created_at", "id"))
    consent_for(principal, partner)
    message = no_consent(lambda: send(family, partner, members=[principal, kid]))
    assert "Child (2)" in message
    assert "Principal applicant (1)" not in message


def test_no_referral_without_an_agreement_in_force(personas: Personas, case: Case) -> None:
    today = timezone.localdate()
    expired = partner_of(
        personas.office_a,
        name="Expired Partner",
        agreement_signed_on=today - datetime.timedelta(days=400),
        agreement_expires_on=today - datetime.timedelta(days=1),
    )
    consent_for(case.members.get(), expired)
    with pytest.raises(ValidationError) as refused:
        send(case, expired)
    assert refused.value.error_dict["partner"][0].code == "no_agreement"


def test_no_referral_to_a_partner_of_an_office_not_working_the_case(
    personas: Personas, case: Case
) -> None:
    foreign = partner_of(personas.office_b, name="Foreign Partner")
    consent_for(case.members.get(), foreign)
    with pytest.raises(ValidationError) as refused:
        send(case, foreign)
    assert refused.value.error_dict["partner"][0].code == "foreign_partner"


def test_the_referral_carries_only_the_chosen_fields(case: Case, partner: Partner) -> None:
    consent_for(case.members.get(), partner)
    referral = send(case, partner, fields=["given_name", "languages"])
    stored = Referral.objects.get(pk=referral.pk)
    package = services.shared_package(stored)
    [row] = package["people"]
    assert set(row) == {"label", "given_name", "languages"}
    assert row["given_name"] == case.principal.given_name
    assert case.principal.family_name not in str(stored.package)
    # Whatever was stored, only the shared fields are shown.
    stored.package["people"][0]["family_name"] = CANARY_FAMILY
    stored.package["destination_place"] = CANARY_FAMILY
    assert CANARY_FAMILY not in str(services.shared_package(stored))


def test_revoking_the_consent_revokes_the_referral_and_empties_it(
    case: Case, partner: Partner
) -> None:
    consent = consent_for(case.members.get(), partner)
    referral = send(case, partner)
    consent_revoke(actor=None, consent=consent)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REVOKED
    assert referral.package == {}
    assert services.shared_package(referral) == {}


def test_closing_the_case_revokes_open_referrals(case: Case, partner: Partner) -> None:
    referral = refer(case, partner)
    services.case_close(actor=None, case=case, reason="assistance_completed")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REVOKED


# --- partner answers ------------------------------------------------------------------------------


def test_only_the_partners_users_answer_and_in_order(
    personas: Personas, case: Case, partner: Partner
) -> None:
    referral = refer(case, partner)
    member = UserFactory.create(email="staff@lagos-skills.example")
    partner.users.add(member)
    stranger = UserFactory.create(email="staff@elsewhere.example")
    partner_of(personas.office_a, name="Elsewhere").users.add(stranger)
    with pytest.raises(PermissionDenied):
        services.referral_report(actor=stranger, referral=referral, move="accept")
    with pytest.raises(ValidationError):
        services.referral_report(actor=member, referral=referral, move="complete")
    with pytest.raises(ValidationError):
        services.referral_report(actor=member, referral=referral, move="decline")  # no reason
    services.referral_report(actor=member, referral=referral, move="accept")
    services.referral_report(actor=member, referral=referral, move="progress", note="Enrolled")
    done = services.referral_report(actor=member, referral=referral, move="complete", note="Done")
    assert done.status == ReferralStatus.COMPLETED
    assert [u.status for u in done.updates.all()] == [
        "sent",
        "accepted",
        "in_progress",
        "completed",
    ]


# --- reminders and escalation, with a controlled clock ------------------------------------------


def test_an_unanswered_referral_is_reminded_then_escalated_on_schedule(
    personas: Personas, case: Case, partner: Partner
) -> None:
    manager = UserFactory.create(email="manager-a@example.org", roles=[(case.office, Role.MANAGER)])
    UserFactory.create(email="manager-b@example.org", roles=[(personas.office_b, Role.MANAGER)])
    partner.users.add(UserFactory.create(email="desk@lagos-skills.example"))
    referral = refer(case, partner)
    answered = refer(arrived(personas.office_a), partner)
    sent = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
    Referral.objects.filter(pk__in=[referral.pk, answered.pk]).update(sent_at=sent)
    answered.status = ReferralStatus.ACCEPTED
    answered.save()
    day = datetime.timedelta(days=1)
    second = datetime.timedelta(seconds=1)

    assert remind_and_escalate(sent + 7 * day - second) == (0, 0)
    assert mail.outbox == []
    assert remind_and_escalate(sent + 7 * day) == (1, 0)
    [reminder] = mail.outbox
    assert reminder.to == ["desk@lagos-skills.example"]
    assert case.reference in reminder.body
    assert case.principal.given_name not in reminder.body
    assert case.principal.family_name not in reminder.body
    assert remind_and_escalate(sent + 10 * day) == (0, 0)  # reminded once
    assert remind_and_escalate(sent + 14 * day - second) == (0, 0)
    assert remind_and_escalate(sent + 14 * day) == (0, 1)
    escalations = mail.outbox[1:]
    # The programme managers of the referring office (the personas' and this one), nobody else.
    assert sorted(m.to[0] for m in escalations) == sorted([manager.email, "pm-a@example.org"])
    assert all(case.reference in m.body for m in escalations)
    assert remind_and_escalate(sent + 30 * day) == (0, 0)  # escalated once
    referral.refresh_from_db()
    assert (referral.reminded_at, referral.escalated_at) == (sent + 7 * day, sent + 14 * day)


def test_the_schedule_is_configurable(settings: object, case: Case, partner: Partner) -> None:
    settings.REFERRAL_ANSWER_DAYS = 2  # type: ignore[attr-defined]
    settings.REFERRAL_ESCALATE_DAYS = 1  # type: ignore[attr-defined]
    referral = refer(case, partner)
    sent = referral.sent_at
    day = datetime.timedelta(days=1)
    assert remind_and_escalate(sent + 2 * day - datetime.timedelta(seconds=1)) == (0, 0)
    assert remind_and_escalate(sent + 2 * day) == (1, 0)
    assert remind_and_escalate(sent + 3 * day) == (0, 1)


def test_the_command_queues_the_task(case: Case, partner: Partner) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("send_referral_reminders", stdout=out)
    assert out.getvalue().startswith("queued ")


def test_the_origin_office_records_and_revokes_a_consent_for_its_partner(
    personas: Personas,
) -> None:
    from tests.movements.factories import HandoverFactory, origin_office
    from tests.safety.factories import set_status
    from wayhome.cases.workflow import Status
    from wayhome.movements.services import handover_acknowledge

    origin = origin_office()
    officer = UserFactory.create(email="lagos@example.org", roles=[(origin, Role.REINTEGRATION)])
    handover = HandoverFactory.create(office=personas.office_a, to=origin)
    handover_acknowledge(actor=officer, handover=handover)
    case = set_status(handover.case, Status.ARRIVED)
    member = case.members.get()
    theirs = partner_of(origin, name="Lagos Partner")
    host_partner = partner_of(personas.office_a, name="Host Partner")
    consent = services.partner_consent_give(actor=officer, case=case, member=member, partner=theirs)
    assert consent.recipient_name == "Lagos Partner"
    assert [c.pk for c in services.partner_consents(case)[member.pk]] == [consent.pk]
    referral = services.referral_send(
        actor=officer, case=case, partner=theirs, members=[member], category=Category.HOUSING
    )
    assert referral.office_id == origin.pk
    # The host office's partner is a partner of an office working the case too.
    services.partner_consent_give(actor=officer, case=case, member=member, partner=host_partner)
    # An office that did not take the case over records nothing.
    stranger = UserFactory.create(
        email="x@example.org", roles=[(origin_office(), Role.REINTEGRATION)]
    )
    with pytest.raises(PermissionDenied):
        services.partner_consent_give(actor=stranger, case=case, member=member, partner=theirs)
    services.partner_consent_revoke(actor=officer, case=case, consent=consent)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REVOKED
