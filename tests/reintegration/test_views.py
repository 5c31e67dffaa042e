"""The reintegration pages, from the reintegration officer's, the programme manager's and the
origin office's side: each page renders for the office, writes through the services and shows
their refusals, people appear by label only, reads of personal data and downloads are audited,
and lists do not grow in queries with their rows."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import Personas, client_for
from tests.core.test_pages import id_problems
from tests.factories import UserFactory
from tests.movements.factories import HandoverFactory, origin_office
from tests.reintegration.factories import (
    TODAY,
    approved,
    arrived,
    consent_for,
    drafted,
    partner_of,
    refer,
    submitted,
    with_cap,
)
from wayhome.accounts.models import Office, User
from wayhome.accounts.permissions import Role
from wayhome.audit.models import AuditEvent
from wayhome.cases.models import Case
from wayhome.cases.workflow import Status
from wayhome.consent.models import DataSharingConsent
from wayhome.movements.services import handover_acknowledge
from wayhome.reintegration import services
from wayhome.reintegration.models import (
    BudgetLine,
    Category,
    Closure,
    Counselling,
    CounsellingMode,
    CounsellingStage,
    Delivery,
    Partner,
    PaymentMethod,
    Plan,
    PlanApproval,
    PlanStatus,
    ProgrammeCap,
    Referral,
    ReferralStatus,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def officer(office: Office, **kwargs: Any) -> User:
    return UserFactory.create(roles=[(office, Role.REINTEGRATION)], **kwargs)


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"reintegration:{name}", kwargs=kwargs)


def case_url(case: Case) -> str:
    return url("case", case_id=case.pk)


def plan_url(plan: Plan) -> str:
    return url("plan", case_id=plan.case_id, plan_id=plan.pk)


def line_url(line: BudgetLine) -> str:
    return url("budget-line", case_id=line.plan.case_id, budget_line_id=line.pk)


def named(case: Case) -> Case:
    """``case`` whose principal has a name found nowhere else on a page."""
    person = case.members.order_by("created_at", "id").first().person  # type: ignore[union-attr]
    person.given_name, person.family_name = "Qwertyana", "Zxcvbnmova"
    person.save()
    return case


def html_of(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def viewed(user: User, case: Case) -> bool:
    return AuditEvent.objects.filter(
        action="case.view", object_id=str(case.pk), actor_id=str(user.pk)
    ).exists()


# --- the case page ------------------------------------------------------------------------------


def test_the_case_page_shows_people_by_label_only_and_is_audited(personas: Personas) -> None:
    office = personas.office_a
    case = named(arrived(office, with_child=True))
    user = officer(office)
    drafted(case)
    services.counselling_record(
        actor=None,
        case=case,
        stage=CounsellingStage.AFTER_ARRIVAL,
        held_on=TODAY(),
        mode=CounsellingMode.PHONE,
        notes="Talked about the tailoring shop",
        members=list(case.members.all()),
    )
    refer(case, partner_of(office))

    html = html_of(client_for(user), case_url(case))

    assert "Principal applicant (1)" in html
    assert "Child (2)" in html
    assert "Talked about the tailoring shop" in html
    assert "Household" in html
    assert "500.00 EUR" in html
    assert "Lagos Skills Centre" in html
    due = (TODAY() - datetime.timedelta(days=5) + datetime.timedelta(days=30)).isoformat()
    assert f"plan due {due}" in html
    assert "Overdue" not in html
    assert "Qwertyana" not in html
    assert "Zxcvbnmova" not in html
    assert viewed(user, case)
    # The case page carries the reintegration panel.
    page = client_for(user).get(reverse("cases:case-detail", kwargs={"case_id": case.pk}))
    panel = page.content.decode()
    assert "reintegration-panel" in panel
    assert "1 open referral to a partner" in panel
    assert case_url(case) in panel


def test_a_plan_not_approved_a_month_after_arrival_is_overdue(personas: Personas) -> None:
    late = arrived(personas.office_a, days_ago=40)
    early = arrived(personas.office_a, days_ago=2)
    client = client_for(officer(personas.office_a))

    assert "Overdue" in html_of(client, case_url(late))
    assert "Overdue" not in html_of(client, case_url(early))
    queue = html_of(client, url("queue"))
    assert late.reference in queue
    assert early.reference in queue
    assert queue.count("Overdue") == 1


def test_counselling_is_recorded_from_the_page_and_errors_are_shown(personas: Personas) -> None:
    case = arrived(personas.office_a, with_child=True)
    child = case.members.order_by("created_at", "id").last()
    assert child is not None
    client = client_for(officer(personas.office_a))
    target = url("counselling-create", case_id=case.pk)
    data = {
        "stage": CounsellingStage.AFTER_ARRIVAL,
        "held_on": TODAY().isoformat(),
        "mode": CounsellingMode.IN_PERSON,
        "members": [str(child.pk)],
        "notes": "Wants to go back to school",
    }

    response = client.post(target, {**data, "notes": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()

    response = client.post(target, {**data, "stage": CounsellingStage.BEFORE_DEPARTURE})
    assert response.status_code == 400
    assert "recorded before the case departs" in response.content.decode()
    assert not Counselling.objects.filter(case=case).exists()

    response = client.post(target, data)
    assert response.status_code == 302
    session = Counselling.objects.get(case=case)
    assert list(session.members.all()) == [child]
    assert "Child (2)" in html_of(client, case_url(case))


def test_a_caseworker_of_the_office_reads_but_does_not_plan(personas: Personas) -> None:
    case = arrived(personas.office_a)
    client = client_for(personas.caseworker_a)

    html = html_of(client, case_url(case))
    assert "Start a plan" not in html
    assert reverse("surveys:case", kwargs={"case_id": case.pk}) not in html  # no surveys either
    surveys = reverse("surveys:case", kwargs={"case_id": case.pk})
    assert surveys in html_of(client_for(officer(personas.office_a)), case_url(case))
    assert client.post(url("plan-create", case_id=case.pk), {"member": ""}).status_code == 403
    assert not Plan.objects.filter(case=case).exists()


# --- plans --------------------------------------------------------------------------------------


def test_a_plan_is_started_budgeted_and_submitted_from_the_pages(personas: Personas) -> None:
    case = arrived(personas.office_a)
    client = client_for(officer(personas.office_a))

    response = client.post(url("plan-create", case_id=case.pk), {"member": ""})
    plan = Plan.objects.get(case=case)
    assert response.status_code == 302
    assert response["Location"] == plan_url(plan)
    # A second household plan is refused, on the form.
    response = client.post(url("plan-create", case_id=case.pk), {"member": ""})
    assert response.status_code == 400
    assert "This case has plans already" in response.content.decode()

    line = {
        "category": Category.VOCATIONAL,
        "dimension": "",
        "level": "individual",
        "description": "Welding course",
        "amount": "750.00",
        "currency": "eur",
        "delivery_mode": "service",
        "provider": "Lagos Skills Centre",
        "beneficiary": "",
    }
    target = url("line-create", case_id=case.pk, plan_id=plan.pk)
    response = client.post(target, {**line, "currency": "XXQ"})
    assert response.status_code == 400
    assert "ISO 4217" in response.content.decode()
    assert client.post(target, line).status_code == 302
    added = BudgetLine.objects.get(plan=plan)
    assert (added.dimension, added.currency, added.amount) == ("economic", "EUR", Decimal("750"))

    plan.refresh_from_db()
    needs = {"needs": "A job as a welder", "skills": "", "assessment_results": ""}
    response = client.post(plan_url(plan), {**needs, "version": plan.version - 1})
    assert response.status_code == 400
    assert "Someone else changed this plan" in response.content.decode()
    assert client.post(plan_url(plan), {**needs, "version": plan.version}).status_code == 302
    plan.refresh_from_db()
    assert plan.needs == "A job as a welder"

    response = client.post(url("plan-submit", case_id=case.pk, plan_id=plan.pk))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    html = html_of(client, plan_url(plan))
    assert "Welding course" in html
    assert "750.00 EUR" in html
    assert "Add an item of assistance" not in html  # submitted: no change until returned


def test_approving_over_the_cap_shows_why_and_approves_nothing(personas: Personas) -> None:
    case = arrived(personas.office_a)
    with_cap(personas.office_a)
    plan = submitted(drafted(case, ("1000", "EUR"), ("600000", "XOF")))
    client = client_for(personas.manager_a)

    html = html_of(client, plan_url(plan))
    assert "Exchange rate: EUR for 1 XOF" in html
    assert "Give the exchange rate from XOF to EUR." in html
    assert "2000.00 EUR" in html  # the cap per person

    target = url("plan-approve", case_id=case.pk, plan_id=plan.pk)
    response = client.post(target, {"rate_XOF": "0.01", "version": plan.version})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The plan comes to 7000.00 EUR, over its cap of 2000.00 EUR." in page
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    assert not PlanApproval.objects.filter(plan=plan).exists()
    assert not BudgetLine.objects.filter(plan=plan, approved_amount__isnull=False).exists()

    response = client.post(target, {"rate_XOF": "0.00152", "version": plan.version})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    history = html_of(client, plan_url(plan))
    assert "1 XOF = 0.00152 EUR" in history
    assert "1912.00 EUR" in history  # 1000 + 600000 x 0.00152


def test_the_drafter_cannot_approve(personas: Personas) -> None:
    office = personas.office_a
    with_cap(office)
    both = UserFactory.create(roles=[(office, Role.REINTEGRATION), (office, Role.MANAGER)])
    plan = submitted(drafted(arrived(office), actor=both), actor=both)
    client = client_for(both)

    assert "another programme manager approves it" in html_of(client, plan_url(plan))
    response = client.post(
        url("plan-approve", case_id=plan.case_id, plan_id=plan.pk), {"version": plan.version}
    )
    assert response.status_code == 400
    assert "You drafted or changed this plan" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    # ... nor does the officer, who may not approve at all.
    other = client_for(officer(office))
    response = other.post(url("plan-approve", case_id=plan.case_id, plan_id=plan.pk))
    assert response.status_code == 403


def test_a_plan_is_returned_to_draft_with_a_reason(personas: Personas) -> None:
    with_cap(personas.office_a)
    plan = submitted(drafted(arrived(personas.office_a)))
    client = client_for(personas.manager_a)
    target = url("plan-return", case_id=plan.case_id, plan_id=plan.pk)

    assert client.post(target, {"reason": ""}).status_code == 400
    assert (
        client.post(target, {"reason": "Add the rent", "version": plan.version}).status_code == 302
    )
    plan.refresh_from_db()
    assert (plan.status, plan.return_reason) == (PlanStatus.DRAFT, "Add the rent")
    assert "Add the rent" in html_of(client, plan_url(plan))


def test_the_plan_page_makes_few_queries_whatever_the_lines(personas: Personas) -> None:
    client = client_for(officer(personas.office_a))
    small = drafted(arrived(personas.office_a))
    large = drafted(arrived(personas.office_a), *[("100", "EUR")] * 5)

    def queries(plan: Plan) -> int:
        client.get(plan_url(plan))
        with CaptureQueriesContext(connection) as captured:
            client.get(plan_url(plan))
        return len(captured)

    assert queries(small) == queries(large)


# --- budget lines and deliveries ----------------------------------------------------------------


def test_a_delivery_beyond_what_was_approved_is_refused(personas: Personas) -> None:
    plan = approved(arrived(personas.office_a))
    line = plan.lines.get()
    user = officer(personas.office_a)
    client = client_for(user)
    target = url("delivery-create", case_id=plan.case_id, budget_line_id=line.pk)
    data = {
        "delivered_on": TODAY().isoformat(),
        "amount": "600.00",
        "method": PaymentMethod.BANK,
        "delivered_by": "Field officer",
        "notes": "",
    }

    response = client.post(target, data)
    assert response.status_code == 400
    assert "This is beyond what was approved for this item: 500.00 EUR remain." in (
        response.content.decode()
    )
    assert not Delivery.objects.filter(line=line).exists()

    # A file that is not what it says is refused too.
    fake = SimpleUploadedFile("receipt.pdf", b"not a pdf", content_type="application/pdf")
    response = client.post(target, {**data, "amount": "100", "proof": fake})
    assert response.status_code == 400
    assert not Delivery.objects.filter(line=line).exists()

    proof = SimpleUploadedFile("receipt.pdf", PDF, content_type="application/pdf")
    response = client.post(target, {**data, "amount": "100", "proof": proof})
    assert response.status_code == 302
    delivery = Delivery.objects.get(line=line)
    html = html_of(client, line_url(line))
    assert "400.00 EUR" in html  # remaining
    proof_url = url("delivery-proof", case_id=plan.case_id, delivery_id=delivery.pk)
    assert proof_url in html

    response = client.get(proof_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    assert response.content == PDF
    assert AuditEvent.objects.filter(
        action="reintegration.proof_download", actor_id=str(user.pk), object_id=str(delivery.pk)
    ).exists()


def test_a_delivery_without_proof_has_nothing_to_download(personas: Personas) -> None:
    plan = approved(arrived(personas.office_a))
    delivery = services.delivery_record(
        actor=None,
        line=plan.lines.get(),
        delivered_on=TODAY(),
        amount=Decimal("50"),
        method=PaymentMethod.CASH,
        delivered_by="Field officer",
    )
    client = client_for(officer(personas.office_a))
    proof_url = url("delivery-proof", case_id=plan.case_id, delivery_id=delivery.pk)
    assert client.get(proof_url).status_code == 404


def test_a_budget_line_is_changed_and_removed_from_its_page(personas: Personas) -> None:
    plan = drafted(arrived(personas.office_a))
    line = plan.lines.get()
    client = client_for(officer(personas.office_a))
    html = html_of(client, line_url(line))
    assert "Tailoring workshop equipment" in html
    assert 'value="Tailoring workshop equipment"' in html  # the edit form

    data = {
        "category": Category.BUSINESS,
        "dimension": "economic",
        "level": "individual",
        "description": "Sewing machines",
        "amount": "650",
        "currency": "EUR",
        "delivery_mode": "in_kind",
        "provider": "",
        "beneficiary": "",
        "version": line.version,
    }
    assert client.post(line_url(line), data).status_code == 302
    line.refresh_from_db()
    assert (line.description, line.amount) == ("Sewing machines", Decimal("650"))

    response = client.post(url("line-remove", case_id=plan.case_id, budget_line_id=line.pk))
    assert response.status_code == 302
    assert response["Location"] == plan_url(plan)
    assert not BudgetLine.objects.filter(pk=line.pk).exists()


# --- referrals ----------------------------------------------------------------------------------


def _referral_data(case: Case, partner: Partner, **extra: Any) -> dict[str, Any]:
    principal = case.members.order_by("created_at", "id").first()
    assert principal is not None
    return {
        "partner": str(partner.pk),
        "members": [str(principal.pk)],
        "line": "",
        "category": Category.VOCATIONAL,
        "share": ["given_name"],
        "note": "Tailoring course in January",
        **extra,
    }


def test_a_referral_without_consent_is_refused_on_the_form(personas: Personas) -> None:
    case = named(arrived(personas.office_a))
    partner = partner_of(personas.office_a)
    client = client_for(officer(personas.office_a))
    target = url("referral-create", case_id=case.pk)

    form = html_of(client, target)
    assert "Lagos Skills Centre" in form
    assert "Principal applicant (1)" in form
    assert "Qwertyana" not in form
    assert "Given name(s)" in form

    response = client.post(target, _referral_data(case, partner))
    assert response.status_code == 400
    page = response.content.decode()
    assert "The referral was not sent" in page
    assert (
        "No consent to share data with Lagos Skills Centre for reintegration assistance: "
        "Principal applicant (1)." in page
    )
    assert not Referral.objects.exists()


def test_a_referral_shares_only_the_chosen_fields(personas: Personas) -> None:
    case = named(arrived(personas.office_a))
    partner = partner_of(personas.office_a)
    consent_for(case.members.get(), partner)
    user = officer(personas.office_a)
    client = client_for(user)

    response = client.post(url("referral-create", case_id=case.pk), _referral_data(case, partner))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert response["Location"] == url("referral", case_id=case.pk, referral_id=referral.pk)

    html = html_of(client, response["Location"])
    assert "Qwertyana" in html  # the given name was shared
    assert "Zxcvbnmova" not in html  # the family name was not
    assert "Tailoring course in January" in html
    assert "Vocational training or apprenticeship" in html
    assert viewed(user, case)

    note = url("referral-note", case_id=case.pk, referral_id=referral.pk)
    assert client.post(note, {"note": "Course starts on 12 January"}).status_code == 302
    assert "Course starts on 12 January" in html_of(client, response["Location"])

    revoke = url("referral-revoke", case_id=case.pk, referral_id=referral.pk)
    assert client.post(revoke, {"reason": ""}).status_code == 400
    assert client.post(revoke, {"reason": "Found a job"}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REVOKED
    html = html_of(client, response["Location"])
    assert "Nothing is shared: the referral is revoked." in html
    assert "Qwertyana" not in html


def test_a_referral_to_a_partner_without_an_agreement_is_refused(personas: Personas) -> None:
    case = arrived(personas.office_a)
    partner = partner_of(
        personas.office_a, agreement_expires_on=TODAY() - datetime.timedelta(days=1)
    )
    consent_for(case.members.get(), partner)
    client = client_for(officer(personas.office_a))
    target = url("referral-create", case_id=case.pk)

    assert "no data-sharing agreement in force" in html_of(client, target)
    response = client.post(target, _referral_data(case, partner))
    assert response.status_code == 400
    assert "This partner has no data-sharing agreement in force." in response.content.decode()
    assert not Referral.objects.exists()


# --- the origin office ----------------------------------------------------------------------------


def test_the_origin_office_works_the_reintegration_without_the_host_pages(
    personas: Personas,
) -> None:
    case = named(arrived(personas.office_a))
    origin = origin_office(name="Lagos Office")
    handover = HandoverFactory.create(case=case, to=origin)
    user = officer(origin)
    client = client_for(user)

    assert client.get(case_url(case)).status_code == 404  # not before it takes the case over
    handover_acknowledge(actor=user, handover=handover)

    html = html_of(client, case_url(case))
    assert "Principal applicant (1)" in html
    assert "Qwertyana" not in html
    host_page = reverse("cases:case-detail", kwargs={"case_id": case.pk})
    assert f'href="{host_page}"' not in html
    assert client.get(host_page).status_code == 404
    travel_page = reverse("movements:case-travel", kwargs={"case_id": case.pk})
    assert client.get(travel_page).status_code == 404
    event = AuditEvent.objects.get(action="case.view", actor_id=str(user.pk))
    assert event.office_id == origin.pk

    # It works the case: a plan drafted by the origin office.
    assert client.post(url("plan-create", case_id=case.pk), {"member": ""}).status_code == 302
    assert Plan.objects.get(case=case).office_id == origin.pk


# --- moves and closure --------------------------------------------------------------------------


def test_the_reintegration_moves_show_what_is_missing(personas: Personas) -> None:
    case = arrived(personas.office_a)
    client = client_for(officer(personas.office_a))
    move = url("case-move", case_id=case.pk)

    html = html_of(client, case_url(case))
    assert "Move to Reintegration planning" in html
    assert client.post(move, {"to": Status.REINTEGRATION_PLANNING}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REINTEGRATION_PLANNING

    html = html_of(client, case_url(case))
    assert "Assistance starts once a reintegration plan is approved." in html
    response = client.post(move, {"to": Status.REINTEGRATION_ASSISTANCE})
    assert response.status_code == 409
    assert "Assistance starts once a reintegration plan is approved." in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.REINTEGRATION_PLANNING

    response = client.post(move, {"to": Status.CLOSED})
    assert response.status_code == 400
    assert "Use this for the reintegration steps only." in response.content.decode()


def test_a_case_is_closed_with_a_reason_and_reopened_by_a_manager(personas: Personas) -> None:
    case = arrived(personas.office_a)
    partner = partner_of(personas.office_a)
    referral = refer(case, partner)
    client = client_for(officer(personas.office_a))

    response = client.post(url("case-close", case_id=case.pk), {"reason": "", "note": ""})
    assert response.status_code == 400
    response = client.post(
        url("case-close", case_id=case.pk), {"reason": "left_the_area", "note": "Moved to Abuja"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    referral.refresh_from_db()
    assert case.status == Status.CLOSED
    assert referral.status == ReferralStatus.REVOKED
    html = html_of(client, case_url(case))
    assert "Left the area" in html
    assert "Moved to Abuja" in html
    assert "Reopen the case" not in html  # the officer is no manager
    assert client.post(url("case-reopen", case_id=case.pk), {"reason": "x"}).status_code == 403

    manager = client_for(personas.manager_a)
    assert "Reopen the case" in html_of(manager, case_url(case))
    response = manager.post(url("case-reopen", case_id=case.pk), {"reason": "Came back"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ARRIVED
    closure = Closure.objects.get(case=case)
    assert (closure.reopened_by, closure.reopen_reason) == (personas.manager_a, "Came back")


# --- partners -----------------------------------------------------------------------------------


def test_the_partner_list_shows_the_offices_partners_with_expired_agreements(
    personas: Personas,
) -> None:
    partner_of(personas.office_a)
    partner_of(
        personas.office_a,
        name="Old Partner",
        agreement_signed_on=TODAY() - datetime.timedelta(days=800),
        agreement_expires_on=TODAY() - datetime.timedelta(days=10),
    )
    partner_of(personas.office_b, name="Partner of B")

    html = html_of(client_for(personas.caseworker_a), url("partner-list"))
    assert "Lagos Skills Centre" in html
    assert "Old Partner" in html
    assert "Partner of B" not in html
    assert html.count("Expired") == 1
    assert "Business set-up or development, Vocational training or apprenticeship" in html
    assert "Register a partner" not in html  # a caseworker does not manage reintegration


def test_a_partner_is_registered_and_changed(personas: Personas) -> None:
    client = client_for(officer(personas.office_a))
    data = {
        "office": str(personas.office_a.pk),
        "name": "Accra Health Trust",
        "kind": "ngo",
        "countries": "gh, XX",
        "regions": "",
        "services": [Category.HEALTH],
        "contacts": "",
        "agreement_reference": "DSA-7",
        "agreement_signed_on": TODAY().isoformat(),
        "agreement_expires_on": "",
        "active": "on",
    }
    response = client.post(url("partner-create"), data)
    assert response.status_code == 400
    assert "XX is not an ISO 3166-1 two-letter country code." in response.content.decode()
    assert not Partner.objects.filter(name="Accra Health Trust").exists()

    response = client.post(url("partner-create"), {**data, "countries": "gh"})
    assert response.status_code == 302
    partner = Partner.objects.get(name="Accra Health Trust")
    assert (partner.countries, partner.office_id) == (["GH"], personas.office_a.pk)
    html = html_of(client, url("partner", partner_id=partner.pk))
    assert "Ghana (GH)" in html
    assert "Agreement in force" in html

    change = {**data, "countries": "GH TG", "regions": "GH-AA", "version": partner.version}
    del change["office"]
    assert client.post(url("partner", partner_id=partner.pk), change).status_code == 302
    partner.refresh_from_db()
    assert (partner.countries, partner.regions) == (["GH", "TG"], ["GH-AA"])


def test_an_office_administrator_lets_users_sign_in_for_a_partner(personas: Personas) -> None:
    partner = partner_of(personas.office_a)
    admin = UserFactory.create(
        roles=[(personas.office_a, Role.CASEWORKER), (personas.office_a, Role.ADMIN)]
    )
    client = client_for(admin)
    page = url("partner", partner_id=partner.pk)
    assert "Who signs in for this partner" in html_of(client, page)
    assert "Who signs in" not in html_of(client_for(personas.caseworker_a), page)

    add = url("partner-user-add", partner_id=partner.pk)
    response = client.post(add, {"email": "nobody@example.org"})
    assert response.status_code == 400
    assert "No active user has this e-mail address." in response.content.decode()
    assert client.post(add, {"email": "PARTNER@example.org"}).status_code == 302
    assert list(partner.users.all()) == [personas.partner]
    assert "partner@example.org" in html_of(client, page)

    remove = url("partner-user-remove", partner_id=partner.pk)
    assert client_for(personas.caseworker_a).post(remove).status_code == 403
    assert client.post(remove, {"user": str(personas.partner.pk)}).status_code == 302
    assert not partner.users.exists()


# --- caps, reconciliation, queue ----------------------------------------------------------------


def test_a_manager_sets_the_caps_of_the_office(personas: Personas) -> None:
    manager = client_for(personas.manager_a)
    data = {
        "office": str(personas.office_a.pk),
        "programme": "AVRR",
        "currency": "eur",
        "per_person": "2500",
        "per_household": "2000",
    }
    response = manager.post(url("caps"), data)
    assert response.status_code == 400
    assert "cannot be below the cap per person" in response.content.decode()
    assert manager.post(url("caps"), {**data, "per_household": "6000"}).status_code == 302
    cap = ProgrammeCap.objects.get(office=personas.office_a)
    assert (cap.currency, cap.per_person) == ("EUR", Decimal("2500"))
    html = html_of(manager, url("caps"))
    assert "6000.00" in html

    officer_client = client_for(officer(personas.office_a))
    assert "Set or change a cap" not in html_of(officer_client, url("caps"))
    assert officer_client.post(url("caps"), data).status_code == 403
    # Another office sees nothing of A's caps.
    assert "6000.00" not in html_of(client_for(personas.caseworker_b), url("caps"))


def test_the_reconciliation_and_its_export(personas: Personas) -> None:
    case = arrived(personas.office_a)
    Case.objects.filter(pk=case.pk).update(funding_source="=HYPERLINK(1)")
    plan = approved(case, ("500", "EUR"), ("100", "USD"), rates={"USD": "0.9"})
    services.delivery_record(
        actor=None,
        line=plan.lines.get(currency="EUR"),
        delivered_on=TODAY(),
        amount=Decimal("120"),
        method=PaymentMethod.CASH,
        delivered_by="Field officer",
    )
    manager = client_for(personas.manager_a)

    html = html_of(manager, url("reconciliation"))
    assert case.reference in html
    assert "380.00" in html  # 500 approved - 120 delivered
    assert "100.00" in html  # USD apart

    response = manager.get(url("reconciliation-csv") + "?by=funding_source")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    assert body.splitlines()[0] == "Funding source,Currency,Approved,Delivered,Remaining"
    assert "'=HYPERLINK(1),EUR,500.00,120.00,380.00" in body
    assert AuditEvent.objects.filter(
        action="reintegration.reconciliation_export", actor_id=str(personas.manager_a.pk)
    ).exists()

    # A reintegration officer sees the page but may not export it; a caseworker neither.
    officer_client = client_for(officer(personas.office_a))
    assert officer_client.get(url("reconciliation")).status_code == 200
    assert officer_client.get(url("reconciliation-csv")).status_code == 403
    assert client_for(personas.caseworker_a).get(url("reconciliation")).status_code == 403
    # Office B sees nothing of office A.
    other = UserFactory.create(roles=[(personas.office_b, Role.MANAGER)])
    assert case.reference not in html_of(client_for(other), url("reconciliation"))


def test_the_queue_lists_plans_to_approve_and_unanswered_referrals(personas: Personas) -> None:
    with_cap(personas.office_a)
    plan = submitted(drafted(arrived(personas.office_a)))
    referral = refer(arrived(personas.office_a), partner_of(personas.office_a))
    Referral.objects.filter(pk=referral.pk).update(reminded_at=referral.sent_at)

    html = html_of(client_for(personas.manager_a), url("queue"))
    assert plan_url(plan) in html
    assert url("referral", case_id=referral.case_id, referral_id=referral.pk) in html
    officer_html = html_of(client_for(officer(personas.office_a)), url("queue"))
    assert plan_url(plan) not in officer_html  # an officer does not approve
    home = html_of(client_for(personas.manager_a), reverse("core:home"))
    assert "1 plan waiting for your approval" in home
    assert client_for(personas.partner).get(url("queue")).status_code == 404  # no office perm


def test_lists_make_few_queries_whatever_their_rows(personas: Personas) -> None:
    client = client_for(personas.manager_a)

    def queries(path: str) -> int:
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        return len(captured)

    with_cap(personas.office_a)
    submitted(drafted(arrived(personas.office_a)))
    partner_of(personas.office_a)
    few = {path: queries(path) for path in (url("queue"), url("partner-list"))}
    for n in range(3):
        submitted(drafted(arrived(personas.office_a)))
        partner_of(personas.office_a, name=f"Partner {n}")
    assert {path: queries(path) for path in few} == few


# --- well-formed pages --------------------------------------------------------------------------


def test_the_pages_with_their_forms_are_well_formed(personas: Personas) -> None:
    office = personas.office_a
    with_cap(office)
    user = UserFactory.create(
        roles=[(office, Role.REINTEGRATION), (office, Role.MANAGER), (office, Role.ADMIN)]
    )
    client = client_for(user)
    case = arrived(office, with_child=True)
    plan = approved(case)
    line = plan.lines.get()
    delivery = services.delivery_record(
        actor=None,
        line=line,
        delivered_on=TODAY(),
        amount=Decimal("10"),
        method=PaymentMethod.CASH,
        delivered_by="Field officer",
    )
    assert delivery.pk
    partner = partner_of(office)
    referral = refer(case, partner)
    other = submitted(drafted(arrived(office)))
    pages = [
        case_url(case),
        plan_url(plan),
        plan_url(other),
        line_url(line),
        url("referral-create", case_id=case.pk),
        url("referral", case_id=case.pk, referral_id=referral.pk),
        url("partner", partner_id=partner.pk),
        url("partner-create"),
        url("partner-list"),
        url("caps"),
        url("reconciliation"),
        url("queue"),
    ]
    problems = [f"{page}: {p}" for page in pages for p in id_problems(html_of(client, page))]
    assert not problems, "\n".join(problems)


def test_the_referral_page_records_and_withdraws_a_consent_to_share_with_a_partner(
    personas: Personas,
) -> None:
    from tests.reintegration.factories import arrived, partner_of
    from wayhome.reintegration.models import Referral, ReferralStatus

    case = arrived(personas.office_a)
    partner = partner_of(personas.office_a, name="Consent Partner")
    officer = UserFactory.create(
        email="officer-consent@example.org", roles=[(personas.office_a, Role.REINTEGRATION)]
    )
    client = client_for(officer)
    url = reverse("reintegration:referral-create", kwargs={"case_id": case.pk})
    member = case.members.get()
    page = client.get(url).content.decode()
    assert "No consent to share with a partner." in page
    refused = client.post(
        reverse("reintegration:partner-consent", kwargs={"case_id": case.pk}),
        {"member": "", "partner": str(partner.pk)},
    )
    assert refused.status_code == 400
    done = client.post(
        reverse("reintegration:partner-consent", kwargs={"case_id": case.pk}),
        {
            "member": str(member.pk),
            "partner": str(partner.pk),
            "given_on": "2026-11-30",
        },
    )
    assert done.status_code == 302
    consent = DataSharingConsent.objects.get(person=member.person, recipient_name="Consent Partner")
    referral = services.referral_send(
        actor=officer, case=case, partner=partner, members=[member], category="housing"
    )
    page = client.get(url).content.decode()
    assert "Consent Partner (2026-11-30)" in page
    client.post(
        reverse("reintegration:partner-consent-revoke", kwargs={"case_id": case.pk}),
        {"consent": str(consent.pk)},
    )
    consent.refresh_from_db()
    assert consent.revoked_on is not None
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.REVOKED
    # Someone else's consent id: 404.
    other = arrived(personas.office_a).members.get()
    from tests.reintegration.factories import consent_for

    foreign = consent_for(other, partner)
    gone = client.post(
        reverse("reintegration:partner-consent-revoke", kwargs={"case_id": case.pk}),
        {"consent": str(foreign.pk)},
    )
    assert gone.status_code == 404
