"""The consent pages: happy paths, field errors, the signed form's download, and 404s."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.conftest import Personas, client_for
from tests.consent.factories import PDF, ConsentFactory, adult, child, declare, members_of
from wayhome.audit.models import AuditEvent
from wayhome.cases.models import Case, Relationship
from wayhome.cases.workflow import Status
from wayhome.consent.models import (
    CapacityAssessment,
    DataSharingConsent,
    InformationSession,
    LegalRepresentative,
    RepresentativeDecision,
    VoluntarinessDeclaration,
    Withdrawal,
)
from wayhome.consent.selectors import consent_summary

pytestmark = pytest.mark.django_db


def a_case(personas: Personas) -> Case:
    office = personas.office_a
    return CaseFactory.create(
        office=office,
        principal=adult(office, given_name="Layla"),
        members=[(child(office), Relationship.CHILD)],
    )


def member_url(name: str, case: Case, index: int = 0) -> str:
    member = members_of(case)[index]
    return reverse(f"consent:{name}", kwargs={"case_id": case.pk, "member_id": member.pk})


def test_record_a_session(personas: Personas) -> None:
    case = a_case(personas)
    principal, kid = members_of(case)
    client = client_for(personas.caseworker_a)
    url = reverse("consent:session-create", kwargs={"case_id": case.pk})
    page = client.get(url)
    assert page.status_code == 200
    assert "Principal applicant (1)" in page.content.decode()
    answer = client.post(
        url,
        {
            "held_on": timezone.localdate().isoformat(),
            "language": "AR",
            "topics": ["return_process", "data_protection"],
            "attendees": [str(principal.pk), str(kid.pk)],
            "interpreter": "on",
            "interpreter_name": "Samir",
            "materials_given": "Leaflet on reintegration",
        },
    )
    assert answer.status_code == 302
    session = InformationSession.objects.get()
    assert session.language == "ar"
    assert session.counsellor_id == personas.caseworker_a.pk
    assert set(session.attendees.all()) == {principal, kid}
    detail = client.get(reverse("consent:case-detail", kwargs={"case_id": case.pk}))
    assert "Leaflet on reintegration" in detail.content.decode()


def test_a_bad_session_shows_field_errors_and_saves_nothing(personas: Personas) -> None:
    case = a_case(personas)
    client = client_for(personas.caseworker_a)
    url = reverse("consent:session-create", kwargs={"case_id": case.pk})
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    answer = client.post(
        url,
        {
            "held_on": future,
            "language": "zz",
            "topics": ["return_process"],
            "attendees": [str(members_of(case)[0].pk)],
        },
    )
    assert answer.status_code == 400
    form = answer.context["form"]
    assert {"held_on", "language"} <= set(form.errors)
    assert not InformationSession.objects.exists()


def test_record_a_declaration_with_its_form_and_download_it(personas: Personas) -> None:
    case = a_case(personas)
    client = client_for(personas.caseworker_a)
    url = member_url("declaration-record", case)
    assert client.get(url).status_code == 200
    answer = client.post(
        url,
        {
            "freedom_of_choice": "on",
            "informed_decision": "on",
            "declared_on": timezone.localdate().isoformat(),
            "signed_form": SimpleUploadedFile("signed.pdf", PDF, "application/pdf"),
        },
    )
    assert answer.status_code == 302
    declaration = VoluntarinessDeclaration.objects.get()
    assert declaration.counts

    download = client.get(member_url("declaration-form", case))
    assert download.status_code == 200
    assert download.content == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Cache-Control"] == "no-store"
    assert "attachment" in download["Content-Disposition"]
    assert AuditEvent.objects.filter(action="consent.form_download").count() == 1


def test_a_wrong_upload_shows_a_field_error(personas: Personas) -> None:
    case = a_case(personas)
    declare(personas.caseworker_a, members_of(case)[0], signed_form=None)
    client = client_for(personas.caseworker_a)
    answer = client.post(
        member_url("declaration-form", case),
        {"signed_form": SimpleUploadedFile("form.pdf", b"MZ not a pdf", "application/pdf")},
    )
    assert answer.status_code == 400
    assert "signed_form" in answer.context["upload_form"].errors
    assert not VoluntarinessDeclaration.objects.get().has_signed_form


def test_the_signed_form_is_404_for_others_and_when_absent(personas: Personas) -> None:
    case = a_case(personas)
    url = member_url("declaration-form", case)
    assert client_for(personas.caseworker_a).get(url).status_code == 404  # nothing yet
    declare(personas.caseworker_a, members_of(case)[0])
    for outsider in (personas.caseworker_b, personas.auditor_a, personas.partner):
        assert client_for(outsider).get(url).status_code == 404
    assert client_for(personas.manager_a).get(url).status_code == 200


def test_detention_review_by_a_second_staff_member(personas: Personas) -> None:
    case = a_case(personas)
    declare(personas.caseworker_a, members_of(case)[0], in_detention=True)
    url = member_url("declaration-review", case)
    own = client_for(personas.caseworker_a).post(url, {"note": "ok"})
    assert own.status_code == 400
    assert "second staff member" in own.content.decode()
    answer = client_for(personas.manager_a).post(url, {"note": "Met the person alone."})
    assert answer.status_code == 302
    declaration = VoluntarinessDeclaration.objects.get()
    assert declaration.detention_review_by_id == personas.manager_a.pk
    assert declaration.counts


def test_capacity_representative_and_decision(personas: Personas) -> None:
    case = a_case(personas)
    client = client_for(personas.caseworker_a)
    today = timezone.localdate().isoformat()
    answer = client.post(
        member_url("capacity-record", case),
        {"has_capacity": "no", "assessed_on": today, "assessor": "Dr. K, psychiatrist"},
    )
    assert answer.status_code == 302
    assert CapacityAssessment.objects.get().has_capacity is False
    answer = client.post(
        member_url("representative-add", case),
        {"name": "Court guardian", "kind": "legal_representative", "relationship": "appointed"},
    )
    assert answer.status_code == 302
    representative = LegalRepresentative.objects.get()
    answer = client.post(
        member_url("decision-record", case),
        {"representative": str(representative.pk), "decision": "agrees", "decided_on": today},
    )
    assert answer.status_code == 302
    assert RepresentativeDecision.objects.get().decision == "agrees"
    summary = consent_summary(case)
    assert summary["travellers"][0]["lacks_capacity"]
    assert summary["travellers"][0]["representative_agrees"]
    assert summary["travellers"][0]["unmet"] == []


def test_withdraw_through_the_page(personas: Personas) -> None:
    case = a_case(personas)
    client = client_for(personas.caseworker_a)
    url = reverse("consent:withdrawal-create", kwargs={"case_id": case.pk})
    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": "", "withdrawn_on": timezone.localdate().isoformat()})
    assert refused.status_code == 400
    assert "reason" in refused.context["form"].errors
    answer = client.post(
        url, {"reason": "Going to stay", "withdrawn_on": timezone.localdate().isoformat()}
    )
    assert answer.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN
    assert Withdrawal.objects.get().reason == "Going to stay"
    again = client.post(url, {"reason": "x", "withdrawn_on": timezone.localdate().isoformat()})
    assert again.status_code == 400


def test_consents_per_person_give_and_revoke_with_htmx(personas: Personas) -> None:
    person = adult(personas.office_a)
    client = client_for(personas.caseworker_a)
    url = reverse("consent:consent-list", kwargs={"person_id": person.pk})
    assert client.get(url).status_code == 200
    bad = client.post(
        url, {"purpose": "monitoring", "recipient_kind": "partner", "given_on": "2020-01-01"}
    )
    assert bad.status_code == 400
    assert "recipient_name" in bad.context["form"].errors
    answer = client.post(
        url,
        {
            "purpose": "monitoring",
            "recipient_kind": "partner",
            "recipient_name": "Caritas",
            "given_on": "2020-01-01",
        },
    )
    assert answer.status_code == 302
    consent = DataSharingConsent.objects.get()
    revoke = reverse(
        "consent:consent-revoke", kwargs={"person_id": person.pk, "consent_id": consent.pk}
    )
    partial = client.post(revoke, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    body = partial.content.decode()
    assert 'id="consents"' in body
    assert "<html" not in body
    consent.refresh_from_db()
    assert consent.revoked_on == timezone.localdate()


def test_reading_is_not_recording(personas: Personas) -> None:
    """An auditor sees nothing; a user with view only cannot record."""
    from tests.factories import UserFactory
    from wayhome.accounts.permissions import Role

    case = a_case(personas)
    consent = ConsentFactory.create(office=personas.office_a)
    viewer = UserFactory.create(roles=[(personas.office_a, Role.OPERATIONS)])  # case.view only
    client = client_for(viewer)
    assert (
        client.get(reverse("consent:case-detail", kwargs={"case_id": case.pk})).status_code == 200
    )
    assert client.get(member_url("declaration-record", case)).status_code == 200
    assert client.post(member_url("declaration-record", case), {}).status_code == 404
    session_url = reverse("consent:session-create", kwargs={"case_id": case.pk})
    assert client.get(session_url).status_code == 404
    revoke = reverse(
        "consent:consent-revoke",
        kwargs={"person_id": consent.person_id, "consent_id": consent.pk},
    )
    assert client.post(revoke).status_code == 404
    auditor = client_for(personas.auditor_a)
    assert (
        auditor.get(reverse("consent:case-detail", kwargs={"case_id": case.pk})).status_code == 404
    )


def test_a_consent_of_another_person_answers_404(personas: Personas) -> None:
    mine = adult(personas.office_a)
    theirs = ConsentFactory.create(office=personas.office_a)
    revoke = reverse(
        "consent:consent-revoke", kwargs={"person_id": mine.pk, "consent_id": theirs.pk}
    )
    assert client_for(personas.caseworker_a).post(revoke).status_code == 404
    assert DataSharingConsent.objects.get().revoked_on is None


def test_the_case_panel_names_nobody(personas: Personas) -> None:
    case = a_case(personas)
    html = render_to_string(
        "consent/case_panel.html", {"consent": consent_summary(case, personas.caseworker_a)}
    )
    assert "Layla" not in html
    assert "Principal applicant (1)" in html
    assert "Child (2)" in html
    assert "A child: a guardian or legal representative must agree" in html
    assert reverse("consent:session-create", kwargs={"case_id": case.pk}) in html


def test_the_member_page_repeats_no_id_with_every_form_shown(personas: Personas) -> None:
    """The declaration, signed-form upload, review, capacity, representative and decision
    forms all show at once (a declaration in detention awaiting review, a representative):
    fields of the same name (signed_form, ...) must not repeat an id."""
    from tests.core.test_pages import id_problems
    from wayhome.consent.services import representative_add

    case = a_case(personas)
    principal = members_of(case)[0]
    declare(personas.caseworker_a, principal, in_detention=True)
    representative_add(
        actor=personas.caseworker_a, member=principal, name="Samir Haddad", kind="guardian"
    )
    page = client_for(personas.caseworker_a).get(member_url("declaration-record", case))
    html = page.content.decode()
    for action in ("/declaration/", "/declaration/form/", "/declaration/review/", "/decisions/"):
        assert f'{action}"' in html, action
    assert html.count('name="signed_form"') == 3
    assert id_problems(html) == []


def test_a_representatives_signed_form_is_linked_and_downloaded(personas: Personas) -> None:
    from tests.consent.factories import DecisionFactory

    case = a_case(personas)
    principal, kid = members_of(case)
    decision = DecisionFactory.create(member=kid)
    unsigned = DecisionFactory.create(member=kid, signed_form=None, signed_form_type="")
    other_member = DecisionFactory.create(member=principal)
    client = client_for(personas.caseworker_a)

    def url(member: Any, decision_id: Any) -> str:
        return reverse(
            "consent:decision-form",
            kwargs={"case_id": case.pk, "member_id": member.pk, "decision_id": decision_id},
        )

    page = client.get(member_url("declaration-record", case, 1)).content.decode()
    assert url(kid, decision.pk) in page
    assert url(kid, unsigned.pk) not in page
    answer = client.get(url(kid, decision.pk))
    assert answer.status_code == 200
    assert answer.content == PDF
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"].startswith("attachment;")
    assert "no-store" in answer["Cache-Control"]
    event = AuditEvent.objects.get(action="consent.form_download")
    assert event.object_id == str(decision.pk)
    assert client.get(url(kid, unsigned.pk)).status_code == 404
    assert client.get(url(kid, other_member.pk)).status_code == 404  # not this member's
    assert AuditEvent.objects.filter(action="consent.form_download").count() == 1
    assert client_for(personas.caseworker_b).get(url(kid, decision.pk)).status_code == 404
