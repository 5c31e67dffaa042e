"""The transfer register: every hand-over, referral, export download and microdata download
appears in it (per person with the consent relied on, or per file with its rows); the data
protection officer of the office reads, filters and exports it; nobody else sees it."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import TestCase
from django.urls import reverse

from tests.conftest import Personas, client_for
from tests.exports.factories import ExportFactory
from tests.factories import UserFactory
from tests.movements.factories import HandoverFactory, journey
from tests.reintegration.factories import ReferralFactory
from tests.reporting.factories import ReturnFactFactory
from wayhome.accounts.permissions import Role
from wayhome.api.services import token_issue
from wayhome.audit.models import AuditEvent
from wayhome.consent.models import DataSharingConsent
from wayhome.core.blobs import blob_get
from wayhome.exports.models import Export
from wayhome.exports.services import export_create
from wayhome.movements.models import Handover
from wayhome.protection.models import Transfer
from wayhome.protection.transfers import package_fields
from wayhome.reintegration.models import Referral
from wayhome.reporting import microdata
from wayhome.reporting.models import StaleCase

pytestmark = pytest.mark.django_db


def test_a_hand_over_is_registered_per_person_with_the_consent_relied_on(
    personas: Personas,
) -> None:
    handover = HandoverFactory.create(office=personas.office_a)
    [member] = list(handover.members.all())
    [row] = Transfer.objects.filter(object_type="movements.handover", object_id=str(handover.pk))
    consent = DataSharingConsent.objects.get(person=member.person)
    assert (row.kind, row.office_id, row.case_id, row.person_id) == (
        Transfer.Kind.HANDOVER,
        personas.office_a.pk,
        handover.case_id,
        member.person_id,
    )
    assert (row.recipient_kind, row.recipient_office_id) == (
        "origin_office",
        handover.recipient_office_id,
    )
    assert row.consent_id == consent.pk
    assert row.purpose == DataSharingConsent.Purpose.REINTEGRATION_ASSISTANCE
    assert "travellers.given_name" in row.fields
    assert row.fields == package_fields(handover.package)


def test_a_referral_is_registered_per_person(personas: Personas) -> None:
    referral = ReferralFactory.create(office=personas.office_a)
    rows = list(Transfer.objects.filter(object_id=str(referral.pk)))
    assert [r.person_id for r in rows] == [m.person_id for m in referral.members.all()]
    [row] = rows
    assert (row.kind, row.recipient_kind, row.recipient_name) == (
        Transfer.Kind.REFERRAL,
        "partner",
        referral.partner.name,
    )
    assert row.consent is not None
    assert row.consent.recipient_name == referral.partner.name
    assert row.fields == package_fields(referral.package)
    assert row.fields


def test_every_referral_hand_over_and_download_is_in_the_register(personas: Personas) -> None:
    handovers = [HandoverFactory.create(office=personas.office_a) for _ in range(2)]
    referrals = [ReferralFactory.create(office=personas.office_a) for _ in range(2)]
    export = ExportFactory.create(office=personas.office_a)
    downloaded = client_for(export.owner).get(f"/exports/{export.pk}/download")
    assert downloaded.status_code == 200
    b"".join(downloaded.streaming_content)  # type: ignore[attr-defined]
    people = [h.members.count() for h in handovers] + [r.members.count() for r in referrals]
    for obj, expected in zip([*handovers, *referrals], people, strict=True):
        assert Transfer.objects.filter(object_id=str(obj.pk)).count() == expected, obj
    [row] = Transfer.objects.filter(object_type="exports.export", object_id=str(export.pk))
    assert (row.kind, row.recipient_kind, row.recipient_user_id, row.rows) == (
        Transfer.Kind.EXPORT,
        Transfer.RecipientKind.STAFF_FILE,
        export.owner_id,
        export.done,
    )
    assert "principal__given_name" in row.fields
    assert Handover.objects.count() == 2
    assert Referral.objects.count() == 2
    assert Transfer.objects.count() == sum(people) + 1


def test_a_microdata_download_is_registered(personas: Personas) -> None:
    for _ in range(5):
        ReturnFactFactory.create(office=personas.office_a)
    StaleCase.objects.all().delete()
    released = microdata.microdata_release_create(
        actor=personas.manager_a,
        purpose="Evaluation of the reintegration programme",
        recipient="Evaluation team",
        generalisation={"sex": "as_is", "age_group": "as_is", "origin_country": "country"},
        k=5,
    ).release
    url = reverse("reporting:microdata-download", kwargs={"microdata_release_id": released.pk})
    assert client_for(personas.manager_a).get(url).status_code == 200
    [row] = Transfer.objects.filter(kind=Transfer.Kind.MICRODATA)
    assert (row.recipient_name, row.rows, row.recipient_user_id) == (
        "Evaluation team",
        released.rows,
        personas.manager_a.pk,
    )
    assert {"pseudonym", "sex", "age_group", "origin_country"} <= set(row.fields)


def test_only_the_offices_officers_read_the_register(personas: Personas) -> None:
    handover = HandoverFactory.create(office=personas.office_a)
    dpo_a = client_for(UserFactory.create(roles=[(personas.office_a, Role.DPO)]))
    dpo_b = client_for(UserFactory.create(roles=[(personas.office_b, Role.DPO)]))
    page = dpo_a.get("/protection/transfers/")
    assert page.status_code == 200
    assert handover.case.reference in page.content.decode()
    assert handover.case.reference not in dpo_b.get("/protection/transfers/").content.decode()
    assert client_for(personas.manager_a).get("/protection/transfers/").status_code == 404
    assert AuditEvent.objects.filter(action="protection.transfer_list").exists()


def test_the_register_filters(personas: Personas) -> None:
    handover = HandoverFactory.create(office=personas.office_a)
    referral = ReferralFactory.create(office=personas.office_a)
    dpo = client_for(UserFactory.create(roles=[(personas.office_a, Role.DPO)]))

    def shown(**params: str) -> set[str]:
        html = dpo.get("/protection/transfers/", params).content.decode()
        return {ref for ref in (handover.case.reference, referral.case.reference) if ref in html}

    assert shown() == {handover.case.reference, referral.case.reference}
    assert shown(transfer_kind="handover") == {handover.case.reference}
    assert shown(transfer_kind="referral") == {referral.case.reference}
    assert shown(reference=referral.case.reference) == {referral.case.reference}
    assert shown(recipient=referral.partner.name[:6]) == {referral.case.reference}
    assert shown(date_from="2999-01-01") == set()
    bad = dpo.get("/protection/transfers/", {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert bad.status_code == 400
    assert "The end is before the start." in bad.content.decode()


def test_the_api_lists_the_register(personas: Personas) -> None:
    handover = HandoverFactory.create(office=personas.office_a)
    dpo = UserFactory.create(roles=[(personas.office_a, Role.DPO)])
    _token, secret = token_issue(actor=None, user=dpo, name="tests")
    client = client_for(dpo)
    body = client.get(
        "/api/v1/protection/transfers?kind=handover",
        headers={"Authorization": f"Bearer {secret}"},
    ).json()
    assert [item["object_id"] for item in body["items"]] == [str(handover.pk)]
    assert body["items"][0]["consent_id"] is not None
    other = UserFactory.create(roles=[(personas.office_b, Role.DPO)])
    _token, other_secret = token_issue(actor=None, user=other, name="tests")
    assert (
        client_for(other)
        .get("/api/v1/protection/transfers", headers={"Authorization": f"Bearer {other_secret}"})
        .json()["count"]
        == 0
    )


def test_the_officer_exports_the_register_with_its_filters(personas: Personas) -> None:
    handover = HandoverFactory.create(office=personas.office_a)
    ReferralFactory.create(office=personas.office_a)
    HandoverFactory.create(office=personas.office_b)
    dpo = UserFactory.create(roles=[(personas.office_a, Role.DPO)])
    with TestCase.captureOnCommitCallbacks(execute=True):
        export = export_create(
            actor=dpo, kind="transfers", format="csv", filters={"transfer_kind": "handover"}
        )
    export = Export.objects.get(pk=export.pk)
    assert export.status == Export.Status.DONE, export.error
    rows: list[Any] = list(csv.reader(io.StringIO(blob_get(export.blob).decode("utf-8-sig"))))
    assert rows[0][:2] == ["when", "kind"]
    assert len(rows) == 2
    assert rows[1][1] == "handover"
    assert rows[1][3] == handover.case.reference
    assert "travellers.given_name" in rows[1][11]
    page = client_for(dpo).get("/protection/transfers/?transfer_kind=handover").content.decode()
    assert 'name="kind" value="transfers"' in page
    assert 'name="transfer_kind" value="handover"' in page


def test_a_manifest_file_is_registered_per_passenger_for_the_airline(personas: Personas) -> None:
    trip = journey(personas.office_a)
    officer = UserFactory.create(roles=[(personas.office_a, Role.OPERATIONS)])
    client = client_for(officer)
    day = trip.booking.departure_date
    assert day is not None
    preview = client.get(reverse("movements:manifest"), {"date": day.isoformat()})
    assert preview.status_code == 200
    assert not Transfer.objects.exists()  # a preview on screen leaves nothing
    assert (
        client.get(reverse("movements:manifest-csv"), {"date": day.isoformat()}).status_code == 200
    )
    rows = list(Transfer.objects.filter(kind=Transfer.Kind.MANIFEST))
    travellers = {m.person_id for m in trip.case.members.filter(travelling=True)}
    assert {r.person_id for r in rows} == travellers
    assert len(rows) == len(travellers)
    first = trip.booking.segments.order_by("departs_at").first()
    assert first is not None
    assert {(r.recipient_kind, r.recipient_name, r.object_id) for r in rows} == {
        ("carrier", first.carrier, str(trip.booking.pk))
    }
    assert all(r.consent_id is None and "family_name" in r.fields for r in rows)
    _token, secret = token_issue(actor=None, user=officer, name="tests")
    api = client.get(
        f"/api/v1/movements/manifest?date={day.isoformat()}",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert api.status_code == 200, api.content[:300]
    assert Transfer.objects.filter(kind=Transfer.Kind.MANIFEST).count() == 2 * len(travellers)
