"""The survey pages: follow-ups, a case's trajectory (a chart with its table), recording an
interview from the definition, an interview (audited) and its recomputation, instruments and
versions, schedules and results. No names anywhere; other offices get 404."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.conftest import Personas, client_for
from tests.factories import UserFactory
from tests.movements.factories import HandoverFactory, origin_office
from tests.surveys.factories import (
    answers,
    arrived,
    definition,
    interview,
    published,
    schedule,
)
from wayhome.accounts.models import Office, User
from wayhome.accounts.permissions import Role
from wayhome.audit.models import AuditEvent
from wayhome.movements.services import handover_acknowledge
from wayhome.surveys import services
from wayhome.surveys.models import (
    InstrumentVersion,
    Interview,
    ScheduleItem,
    ScoreSet,
    VersionStatus,
)

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"surveys:{name}", kwargs=kwargs)


def officer(office: Office) -> User:
    return UserFactory.create(roles=[(office, Role.REINTEGRATION)])


def manager(office: Office) -> User:
    return UserFactory.create(roles=[(office, Role.MANAGER)])


def html_of(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def named(case: Any) -> Any:
    person = case.principal
    person.given_name = "Qwertyana"
    person.save()
    return case


def test_the_case_page_shows_each_trajectory_as_a_chart_and_its_table(
    personas: Personas,
) -> None:
    published()
    case = named(arrived(personas.office_a))
    interview(case, conducted_on=timezone.localdate() - datetime.timedelta(days=4))
    interview(case, answers=answers("good", "good", "fair"))
    client = client_for(officer(personas.office_a))
    html = html_of(client, url("case", case_id=case.pk))
    assert "<svg" in html
    assert "<polyline" in html
    chart = html[html.index("<figure") : html.index("</figure>")]
    assert "<script" not in chart
    assert "style=" not in chart  # presentation attributes only (the CSP)
    assert "Principal applicant (1)" in html
    assert "Qwertyana" not in html
    # The table after the chart: the dates and every score.
    table = html[html.index("<svg") :]
    assert "<table" in table
    for value in ("0.50", "1.00", "0.00", "0.83", "0.75"):
        assert value in table
    assert AuditEvent.objects.filter(action="case.view").exists()


def test_recording_an_interview_from_the_definition(personas: Personas) -> None:
    published()
    case = arrived(personas.office_a)
    item = schedule(personas.office_a)
    user = officer(personas.office_a)
    client = client_for(user)
    page = url("interview-create", case_id=case.pk)
    html = html_of(client, page + f"?item={item.pk}")
    assert 'type="radio"' in html
    assert "Don&#x27;t know" in html or "Don't know" in html
    assert "How is your economic situation (1)?" in html
    # In French, the questions are in French.
    french = client.get(page + "?instrument=mini", HTTP_ACCEPT_LANGUAGE="fr")
    assert "How is your economic situation (1)? (fr)" in french.content.decode()
    member = case.members.get()
    data = {
        "instrument": "mini",
        "member": str(member.pk),
        "schedule_item": str(item.pk),
        "mode": "visit",
        "interviewer": str(user.pk),
        "conducted_on": timezone.localdate().isoformat(),
        "consent": "given",
        "outcome": "completed",
        **{f"q_{code}": value for code, value in answers().items()},
    }
    # A wrong answer: the form again, with the error, nothing saved.
    bad = client.post(page, {**data, "q_social_1": "splendid"})
    assert bad.status_code == 400
    assert not Interview.objects.exists()
    response = client.post(page, data)
    assert response.status_code == 302
    done = Interview.objects.get()
    assert done.schedule_item == item
    assert ScoreSet.objects.get(interview=done).values["composite"] == "0.50"


def test_a_refused_interview_from_the_page_stores_no_answers(personas: Personas) -> None:
    published()
    case = arrived(personas.office_a)
    user = officer(personas.office_a)
    response = client_for(user).post(
        url("interview-create", case_id=case.pk),
        {
            "instrument": "mini",
            "member": str(case.members.get().pk),
            "mode": "phone",
            "interviewer": str(user.pk),
            "conducted_on": timezone.localdate().isoformat(),
            "consent": "refused",
            "outcome": "refused",
            **{f"q_{code}": value for code, value in answers().items()},
        },
    )
    assert response.status_code == 302
    assert Interview.objects.get().answers == {}
    assert not ScoreSet.objects.exists()


def test_the_interview_page_is_audited_and_recomputes(personas: Personas) -> None:
    published()
    case = arrived(personas.office_a)
    done = interview(case)
    draft = services.version_create(
        actor=None, code="mini", definition=definition(weights=("2", "1", "1"))
    )
    v2 = services.version_publish(actor=None, version=draft)
    user = manager(personas.office_a)
    client = client_for(user)
    page = url("interview", case_id=case.pk, interview_id=done.pk)
    html = html_of(client, page)
    assert "Medium" in html  # the band
    assert "Good" in html  # an answer
    assert "Recompute" in html
    assert AuditEvent.objects.filter(
        action="surveys.interview_view", object_id=str(done.pk)
    ).exists()
    # Without a reason: refused, nothing changed.
    recompute = url("interview-recompute", case_id=case.pk, interview_id=done.pk)
    assert client.post(recompute, {"version": "2", "reason": ""}).status_code == 400
    assert ScoreSet.objects.filter(interview=done).count() == 1
    assert client.post(recompute, {"version": "2", "reason": "Weights revised"}).status_code == 302
    current = ScoreSet.objects.get(interview=done, current=True)
    assert current.instrument_version == v2
    html = html_of(client, page)
    assert "0.63" in html  # both computations shown
    assert "0.50" in html
    # A reintegration officer reads it but may not recompute.
    officer_client = client_for(officer(personas.office_a))
    assert "Recompute the scores" not in html_of(officer_client, page)
    assert officer_client.post(recompute, {"version": "1", "reason": "x"}).status_code == 403


def test_another_office_gets_404_and_an_origin_office_that_took_over_works(
    personas: Personas,
) -> None:
    published()
    case = arrived(personas.office_a)
    done = interview(case)
    stranger = client_for(manager(personas.office_b))
    for path in (
        url("case", case_id=case.pk),
        url("interview-create", case_id=case.pk),
        url("interview", case_id=case.pk, interview_id=done.pk),
    ):
        assert stranger.get(path).status_code == 404
        assert stranger.post(path, {}).status_code in (404, 405)
    origin = origin_office()
    handover = HandoverFactory.create(case=case, to=origin)
    user = officer(origin)
    handover_acknowledge(actor=user, handover=handover)
    client = client_for(user)
    assert client.get(url("case", case_id=case.pk)).status_code == 200
    assert client.get(url("interview-create", case_id=case.pk)).status_code == 200


def test_the_follow_up_list(personas: Personas, django_assert_max_num_queries: Any) -> None:
    schedule(personas.office_a, name="Baseline at arrival")
    client = client_for(officer(personas.office_a))
    for _n in range(3):
        named(arrived(personas.office_a, with_child=True))
    client.get(url("followups"))  # warm the session and caches
    with django_assert_max_num_queries(20):
        html = html_of(client, url("followups"))
    assert html.count("Record the interview") == 6
    assert "Child (2)" in html
    assert "Qwertyana" not in html
    assert "Overdue" not in html.split("<tbody>")[1]
    assert "No follow-up is due." in html_of(client, url("followups") + "?status=done")
    assert client_for(personas.caseworker_a).get(url("followups")).status_code == 403


def test_instruments_show_the_weights_as_defaults_and_a_version_is_drafted_and_published(
    personas: Personas,
) -> None:
    published()
    client = client_for(manager(personas.office_a))
    assert "Mini sustainability survey" in html_of(client, url("instrument-list"))
    html = html_of(client, url("version", code="mini", number=1))
    assert "Default weights, for your programme to review" in html
    assert "Equal weights" in html
    assert "missing (not scored)" in html
    assert "Low" in html
    assert "0.33" in html
    # The draft form is prefilled with the current version.
    form = html_of(client, url("version-create", code="mini"))
    assert "weights_are_defaults" in form
    bad = definition()
    bad["dimensions"][0]["weight"] = "lots"
    response = client.post(url("version-create", code="mini"), {"definition": json.dumps(bad)})
    assert response.status_code == 400
    assert "dimensions[1].weight" in response.content.decode()
    response = client.post(url("version-create", code="mini"), {"definition": "{not json"})
    assert response.status_code == 400
    assert "not valid JSON" in response.content.decode()
    assert (
        InstrumentVersion.objects.count()
        == 1 + InstrumentVersion.objects.exclude(instrument__code="mini").count()
    )
    chosen = definition(weights=("2", "1", "1"), defaults=False)
    response = client.post(
        url("version-create", code="mini"), {"definition": json.dumps(chosen), "notes": "Ours"}
    )
    assert response.status_code == 302
    html = html_of(client, url("version", code="mini", number=2))
    assert "Default weights, for your programme to review" not in html
    assert "Publish this version" in html
    assert client.post(url("version-publish", code="mini", number=2)).status_code == 302
    assert InstrumentVersion.objects.get(instrument__code="mini", number=2).status == (
        VersionStatus.PUBLISHED
    )
    # A reintegration officer reads, never drafts or publishes.
    reader = client_for(officer(personas.office_a))
    assert reader.get(url("version-create", code="mini")).status_code == 403
    assert reader.post(url("version-publish", code="mini", number=1)).status_code == 403


def test_schedules_of_the_users_offices(personas: Personas) -> None:
    published()
    other = schedule(personas.office_b, name="Office B baseline")
    client = client_for(personas.manager_a)
    response = client.post(
        url("schedule-list"),
        {
            "office": str(personas.office_a.pk),
            "programme": "AVRR",
            "instrument": "mini",
            "name": "6 months",
            "days_after_arrival": "182",
            "window_days": "",
        },
    )
    assert response.status_code == 302
    item = ScheduleItem.objects.get(name="6 months")
    html = html_of(client, url("schedule-list"))
    assert "6 months" in html
    assert "Office B baseline" not in html
    assert client.get(url("schedule-item", schedule_item_id=other.pk)).status_code == 404
    assert html_of(client, url("schedule-item", schedule_item_id=item.pk))
    response = client.post(url("schedule-deactivate", schedule_item_id=item.pk))
    assert response.status_code == 302
    item.refresh_from_db()
    assert not item.active
    # A reintegration officer sees the schedule, never changes it.
    reader = client_for(officer(personas.office_a))
    assert "6 months" in html_of(reader, url("schedule-list"))
    assert reader.post(url("schedule-deactivate", schedule_item_id=item.pk)).status_code == 403


def test_results_by_country_programme_and_cohort_without_names(personas: Personas) -> None:
    published()
    for economic in ("good", "fair", "poor"):
        case = named(arrived(personas.office_a))
        interview(case, answers=answers(economic, "good", "good"))
    hidden = arrived(personas.office_b)
    interview(hidden, answers=answers("poor", "poor", "poor"))
    # The programme manager may open every case counted: exact figures.
    client = client_for(manager(personas.office_a))
    html = html_of(client, url("results") + "?instrument=mini&dimension=composite&by=country")
    assert "Nigeria" in html
    assert "<svg" in html
    assert "<rect" in html
    assert "3 interviews" in html
    assert "Qwertyana" not in html
    for case_ref in Interview.objects.values_list("case__reference", flat=True):
        assert case_ref not in html
    # Composites: 1, 0.83, 0.67 (office B's 0 is not counted): mean 0.83.
    assert "0.83" in html
    for by in ("programme", "cohort"):
        assert html_of(client, url("results") + f"?instrument=mini&by={by}")
    economic = html_of(client, url("results") + "?instrument=mini&dimension=economic")
    assert "0.50" in economic  # mean of 1, 0.5 and 0
    assert client_for(officer(personas.office_a)).get(url("results")).status_code == 403
    # M&E may not open the cases: 3 interviews are fewer than k, every figure is withheld.
    me = UserFactory.create(roles=[(personas.office_a, Role.ME_OFFICER)])
    withheld = html_of(client_for(me), url("results") + "?instrument=mini&by=country")
    assert "Nigeria" in withheld
    assert "0.83" not in withheld
    assert "3 interviews" not in withheld
    assert "<td>x</td>" in withheld


def test_the_shipped_instruments_render_in_every_language(personas: Personas) -> None:
    from wayhome.surveys import scoring

    case = arrived(personas.office_a)
    client = client_for(manager(personas.office_a))
    for data in scoring.shipped():
        for language in ("en", "fr", "es", "ar"):
            page = client.get(
                url("version", code=data["code"], number=1), HTTP_ACCEPT_LANGUAGE=language
            )
            assert page.status_code == 200
            assert escape(data["title"][language]) in page.content.decode()
        form = html_of(
            client, url("interview-create", case_id=case.pk) + f"?instrument={data['code']}"
        )
        assert form.count('type="radio"') > len(data["questions"])


def test_the_case_page_queries_do_not_grow_with_the_interviews(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    published()
    case = arrived(personas.office_a, with_child=True)
    child = case.members.order_by("created_at", "id").last()
    interview(case)
    client = client_for(officer(personas.office_a))
    page = url("case", case_id=case.pk)
    client.get(page)
    with django_assert_max_num_queries(40) as one:
        client.get(page)
    for _n in range(3):
        interview(case)
        interview(case, member=child)
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = html_of(client, page)
    assert html.count("<polyline") >= 2


def test_chart_coordinates_are_not_localised(personas: Personas) -> None:
    published()
    case = arrived(personas.office_a)
    interview(case, conducted_on=timezone.localdate() - datetime.timedelta(days=9))
    interview(case)
    client = client_for(officer(personas.office_a))
    html = client.get(url("case", case_id=case.pk), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    chart = html[html.index("<figure") : html.index("</figure>")]
    assert 'lang="fr"' in html
    assert "," not in chart.split("<polyline")[0].split("<line", 1)[1].split(">")[0]
    assert 'stroke-width="3.5"' in chart
