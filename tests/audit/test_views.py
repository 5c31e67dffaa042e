"""The auditor's page and export: who sees which events, the filters, paging, and cost."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.audit import tamper
from tests.audit.factories import record_events
from tests.conftest import Personas, client_for
from tests.factories import OfficeFactory, UserFactory
from wayhome.accounts.permissions import Role
from wayhome.audit.models import AuditEvent

LIST = reverse("audit:event-list")
EXPORT = reverse("audit:event-export")


def shown(client: Client, **params: Any) -> list[int]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return [row.event.seq for row in response.context["page"].rows]


def exported(client: Client, **params: Any) -> list[dict[str, str]]:
    response = client.get(EXPORT, params)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    text = response.getvalue().decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_an_auditor_sees_the_events_of_their_office_only(personas: Personas) -> None:
    a_events = record_events(3, office=personas.office_a)
    b_events = record_events(3, office=personas.office_b)
    record_events(1)  # no office: nobody's trail
    seqs = shown(client_for(personas.auditor_a), action="")
    assert {e.seq for e in a_events} <= set(seqs)
    assert not {e.seq for e in b_events} & set(seqs)
    office_ids = set(AuditEvent.objects.filter(seq__in=seqs).values_list("office_id", flat=True))
    assert office_ids == {personas.office_a.pk}


@pytest.mark.parametrize("persona", ["caseworker_a", "manager_a", "caseworker_b", "partner"])
@pytest.mark.parametrize("url", [LIST, EXPORT])
def test_users_without_audit_view_get_404(personas: Personas, persona: str, url: str) -> None:
    record_events(2, office=personas.office_a)
    response = client_for(getattr(personas, persona)).get(url)
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="audit.").exists()


def test_anonymous_visitors_are_sent_to_sign_in(personas: Personas) -> None:
    response = Client().get(LIST)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_page_shows_time_actor_action_object_office_and_request_id(
    personas: Personas,
) -> None:
    event = record_events(1, office=personas.office_a, actor=personas.manager_a)[0]
    response = client_for(personas.auditor_a).get(LIST, {"action": "test.event"})
    html = response.content.decode()
    assert event.occurred_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") in html
    for text in ["pm-a@example.org", "test.event", "test.thing", "Office A", event.request_id]:
        assert text in html


def test_filter_by_actor_email(personas: Personas) -> None:
    mine = record_events(2, office=personas.office_a, actor=personas.manager_a)
    record_events(2, office=personas.office_a, actor=personas.caseworker_a)
    client = client_for(personas.auditor_a)
    assert shown(client, actor="PM-A@example.org") == [e.seq for e in reversed(mine)]
    response = client.get(LIST, {"actor": "nobody@example.org"})
    assert response.context["page"].rows == []
    assert "No user has this e-mail address." in response.content.decode()


def test_filter_by_action_object_type_and_object_id(personas: Personas) -> None:
    client = client_for(personas.auditor_a)
    events = record_events(3, office=personas.office_a, action="role.grant")
    seq = record_events(2, office=personas.office_a, action="office.create")[1].seq
    assert shown(client, action="role.grant") == [e.seq for e in reversed(events)]
    assert shown(client, object_type="test.thing", object_id="1") == [seq, events[1].seq]
    assert shown(client, action="role.grant", object_id="1") == [events[1].seq]
    assert shown(client, object_type="other.thing") == []
    response = client.get(LIST, {"action": "not.an.action"})
    assert response.context["page"].rows == []
    assert response.context["form"].errors["action"]


def test_the_office_filter_offers_only_the_auditors_offices(personas: Personas) -> None:
    office_c = OfficeFactory.create(code="office-c", name="Office C")
    auditor = UserFactory.create(roles=[(personas.office_a, Role.AUDITOR), (office_c, Role.DPO)])
    a_events = record_events(2, office=personas.office_a)
    c_events = record_events(2, office=office_c)
    client = client_for(auditor)
    response = client.get(LIST)
    offered = {value for value, _label in response.context["form"].fields["office"].choices}
    assert offered == {"", str(personas.office_a.pk), str(office_c.pk)}
    assert shown(client, office=str(office_c.pk), action="test.event") == [
        e.seq for e in reversed(c_events)
    ]
    both = shown(client, action="test.event")
    assert set(both) == {e.seq for e in a_events + c_events}
    refused = client.get(LIST, {"office": str(personas.office_b.pk)})
    assert refused.context["form"].errors["office"]
    assert refused.context["page"].rows == []


def test_filter_by_dates_in_utc(personas: Personas) -> None:
    events = record_events(3, office=personas.office_a)
    days = [datetime(2026, 3, d, 23, 59, 59, tzinfo=UTC) for d in (1, 2, 3)]
    with tamper.append_only_bypassed():  # back-date them (their hashes do not matter here)
        for event, when in zip(events, days, strict=True):
            AuditEvent.objects.filter(seq=event.seq).update(occurred_at=when)
    client = client_for(personas.auditor_a)
    params = {"action": "test.event"}
    assert shown(client, date_from="2026-03-02", **params) == [events[2].seq, events[1].seq]
    assert shown(client, date_to="2026-03-02", **params) == [events[1].seq, events[0].seq]
    assert shown(client, date_from="2026-03-02", date_to="2026-03-02", **params) == [events[1].seq]
    response = client.get(LIST, {"date_from": "2026-03-03", "date_to": "2026-03-01"})
    assert response.context["form"].errors["date_to"]
    assert response.context["page"].rows == []


def test_keyset_pages_walk_older_and_back_newer(personas: Personas, settings: Any) -> None:
    settings.AUDIT_PAGE_SIZE = 3
    events = record_events(8, office=personas.office_a)
    expected = [e.seq for e in reversed(events)]
    client = client_for(personas.auditor_a)
    params: dict[str, Any] = {"action": "test.event"}
    pages: list[list[int]] = []
    response = client.get(LIST, params)
    while True:
        page = response.context["page"]
        pages.append([row.event.seq for row in page.rows])
        if not page.older_than:
            break
        assert response.context["older_query"] in response.content.decode().replace("&amp;", "&")
        response = client.get(LIST, {**params, "before": page.older_than})
    assert pages == [expected[0:3], expected[3:6], expected[6:8]]
    last = response.context["page"]
    back = client.get(LIST, {**params, "after": last.newer_than}).context["page"]
    assert [row.event.seq for row in back.rows] == expected[3:6]
    assert back.older_than == expected[5]
    assert back.newer_than == expected[3]
    first = client.get(LIST, {**params, "after": back.newer_than}).context["page"]
    assert [row.event.seq for row in first.rows] == expected[0:3]
    assert first.newer_than is None


def test_htmx_requests_get_the_results_only(personas: Personas) -> None:
    record_events(2, office=personas.office_a)
    client = client_for(personas.auditor_a)
    response = client.get(LIST, {"action": "test.event"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="audit-results"')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]
    full = client.get(LIST).content.decode()
    assert 'hx-get="/audit/"' in full
    assert 'hx-target="#audit-results"' in full
    assert "<script>" not in full


def _queries_for(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST)
    assert response.status_code == 200
    return len(captured)


def test_the_query_count_does_not_grow_with_the_rows_shown(personas: Personas) -> None:
    actors = [UserFactory.create() for _ in range(6)]
    record_events(1, office=personas.office_a, actor=actors[0])
    client = client_for(personas.auditor_a)
    client.get(LIST)  # warm the session
    few = _queries_for(client)
    for actor in actors:
        record_events(5, office=personas.office_a, actor=actor)
    many = _queries_for(client)
    assert len(client.get(LIST).context["page"].rows) > 20
    assert many == few


def test_viewing_is_audited_with_filter_names_only(personas: Personas) -> None:
    client = client_for(personas.auditor_a)
    client.get(LIST, {"actor": "pm-a@example.org", "object_id": "secret-42", "office": ""})
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert event.action == "audit.view"
    assert event.actor_id == personas.auditor_a.pk
    assert event.office_id == personas.office_a.pk
    assert event.details == {"filters": ["actor", "object_id"]}


def test_export_has_the_same_visibility_and_filters(personas: Personas) -> None:
    a_events = record_events(3, office=personas.office_a, actor=personas.manager_a)
    record_events(3, office=personas.office_b)
    client = client_for(personas.auditor_a)
    rows = exported(client, action="test.event")
    assert [int(row["Number"]) for row in rows] == [e.seq for e in reversed(a_events)]
    assert {row["Office"] for row in rows} == {"Office A"}
    assert {row["Actor e-mail"] for row in rows} == {"pm-a@example.org"}
    assert [int(r["Number"]) for r in exported(client, object_id="2")] == [a_events[2].seq]
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert (event.action, event.details) == ("audit.export", {"filters": ["object_id"]})


def test_export_streams_in_batches_past_one_batch(personas: Personas, monkeypatch: Any) -> None:
    from wayhome.audit import selectors

    original = selectors.event_rows
    monkeypatch.setattr("wayhome.audit.views.event_rows", lambda **kw: original(**kw, batch_size=2))
    events = record_events(5, office=personas.office_a)
    rows = exported(client_for(personas.auditor_a), action="test.event")
    assert [int(row["Number"]) for row in rows] == [e.seq for e in reversed(events)]


def test_export_refuses_bad_filters_and_neutralises_formulas(personas: Personas) -> None:
    client = client_for(personas.auditor_a)
    assert client.get(EXPORT, {"date_from": "yesterday"}).status_code == 400
    assert not AuditEvent.objects.filter(action="audit.export").exists()
    from wayhome.audit.services import audit_record

    audit_record(
        actor=None,
        action="test.event",
        object_type="x",
        object_id="=HYPERLINK(1)",
        office_id=personas.office_a.pk,
    )
    rows = exported(client, action="test.event")
    assert rows[0]["Object id"] == "'=HYPERLINK(1)"


def test_the_trail_stays_intact_after_views_and_exports(personas: Personas) -> None:
    from wayhome.audit.chain import chain_verify

    record_events(2, office=personas.office_a)
    client = client_for(personas.auditor_a)
    client.get(LIST)
    exported(client)
    checked, broken = chain_verify()
    assert broken is None
    assert checked == AuditEvent.objects.count()
