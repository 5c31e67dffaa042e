"""The public pages: sending a report (anonymous or not, the honeypot, the rate limit, the codes
shown once, encrypted at rest, the ethics officers told of misconduct by reference only), and
the status check (only the status and the answer; a wrong secret reveals nothing and is
rate-limited per address and per reference)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from tests.conftest import Personas
from tests.feedback.factories import SECRET, FeedbackFactory, FeedbackNoteFactory
from wayhome.accounts.models import User
from wayhome.core.crypto import blind_index
from wayhome.feedback import services
from wayhome.feedback.models import Channel, Feedback, FeedbackStatus, Kind, MisconductType

pytestmark = pytest.mark.django_db

SUBMIT = "/portal/feedback/"
STATUS = "/portal/feedback/status/"
CODE = re.compile(rb"FB-[A-Z0-9]{4}-[A-Z0-9]{4}")


def form(office_code: str, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "office": office_code,
        "kind": Kind.COMPLAINT,
        "message": "The interpreter did not come to my appointment.",
        "anonymous": "on",
    }
    data.update(extra)
    return {key: value for key, value in data.items() if value is not None}


def client(address: str = "198.51.100.7") -> Client:
    return Client(REMOTE_ADDR=address)


def test_the_form_offers_offices_by_code_only(personas: Personas) -> None:
    response = client().get(SUBMIT)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="office-a"' in body
    assert str(personas.office_a.pk) not in body
    assert "<script" not in body


def test_an_anonymous_complaint_is_saved_encrypted_and_its_codes_shown_once(
    personas: Personas,
) -> None:
    response = client().post(SUBMIT, form("office-a"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    [feedback] = Feedback.objects.all()
    assert feedback.office == personas.office_a
    assert feedback.kind == Kind.COMPLAINT
    assert feedback.channel == Channel.PORTAL
    assert feedback.anonymous
    assert feedback.name == ""
    assert feedback.contact == ""
    assert feedback.language == "en"
    assert feedback.reference.encode() in response.content
    secret = re.search(rb"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", response.content)
    assert secret is not None
    # Only the secret's digest is kept.
    assert feedback.secret_digest == blind_index(
        "feedback.secret", secret.group().decode().replace("-", "")
    )
    assert secret.group().decode() not in str(Feedback.objects.values().get())
    # The message is encrypted at rest.
    with connection.cursor() as cursor:
        cursor.execute("SELECT message, name FROM feedback_feedback")
        raw_message, _raw_name = cursor.fetchone()
    assert b"interpreter" not in bytes(raw_message)
    assert feedback.message == "The interpreter did not come to my appointment."


def test_a_named_report_keeps_the_name_encrypted(personas: Personas) -> None:
    response = client().post(
        SUBMIT, form("office-a", anonymous=None, name="Amina Yusuf", contact="+49 30 1234")
    )
    assert response.status_code == 200
    feedback = Feedback.objects.get()
    assert not feedback.anonymous
    assert (feedback.name, feedback.contact) == ("Amina Yusuf", "+49 30 1234")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, contact FROM feedback_feedback")
        raw_name, raw_contact = cursor.fetchone()
    assert b"Amina" not in bytes(raw_name)
    assert b"1234" not in bytes(raw_contact)


def test_anonymous_with_a_name_is_refused_and_nothing_lost(personas: Personas) -> None:
    response = client().post(SUBMIT, form("office-a", name="Amina Yusuf"))
    assert response.status_code == 400
    assert not Feedback.objects.exists()
    body = response.content.decode()
    assert "Amina Yusuf" in body  # what was typed is kept in the form
    assert "The interpreter did not come" in body


def test_misconduct_needs_its_type(personas: Personas) -> None:
    response = client().post(SUBMIT, form("office-a", kind=Kind.MISCONDUCT))
    assert response.status_code == 400
    assert not Feedback.objects.exists()
    response = client().post(
        SUBMIT,
        form("office-a", kind=Kind.MISCONDUCT, misconduct_type=MisconductType.SEXUAL_EXPLOITATION),
    )
    assert response.status_code == 200
    assert Feedback.objects.get().misconduct_type == MisconductType.SEXUAL_EXPLOITATION


def test_an_unknown_or_inactive_office_is_refused(personas: Personas) -> None:
    personas.office_b.is_active = False
    personas.office_b.save()
    for code in ("office-b", "nowhere"):
        assert client().post(SUBMIT, form(code)).status_code == 400
    assert not Feedback.objects.exists()


def test_a_filled_honeypot_answers_like_success_and_saves_nothing(personas: Personas) -> None:
    response = client().post(SUBMIT, form("office-a", website="http://spam.example"))
    assert response.status_code == 200
    assert CODE.search(response.content)
    assert not Feedback.objects.exists()


def test_sending_is_rate_limited_per_address(personas: Personas, settings: Any) -> None:
    settings.PUBLIC_FORM_LIMIT = 2
    for _ in range(2):
        assert client().post(SUBMIT, form("office-a")).status_code == 200
    response = client().post(SUBMIT, form("office-a", message="Kept for later, word 7731."))
    assert response.status_code == 429
    assert b"Please send it again in about an hour" in response.content
    assert "Kept for later, word 7731." in response.content.decode()  # what was typed is kept
    assert Feedback.objects.count() == 2
    # Another address is not held back.
    assert client("203.0.113.50").post(SUBMIT, form("office-a")).status_code == 200


def test_misconduct_tells_the_ethics_officers_the_reference_only(
    personas: Personas,
    ethics_a: User,
    office_roles_a: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client().post(
            SUBMIT,
            form(
                "office-a",
                kind=Kind.MISCONDUCT,
                misconduct_type=MisconductType.FRAUD,
                message="The driver asked me for 200 euros.",
            ),
        )
    assert response.status_code == 200
    feedback = Feedback.objects.get()
    assert feedback.priority == "urgent"
    assert (feedback.due_on - feedback.submitted_at.date()).days == services.MISCONDUCT_DUE_DAYS
    assert [m.to for m in mail.outbox] == [[ethics_a.email]]
    message = mail.outbox[0]
    assert feedback.reference in message.subject
    text = f"{message.subject}\n{message.body}"
    assert "200 euros" not in text
    assert "driver" not in text
    assert "Fraud" not in text
    assert "Office A" not in text
    # A complaint tells nobody.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client().post(SUBMIT, form("office-a"))
    assert mail.outbox == []


# --- the status check ---------------------------------------------------------------------------


def check(reference: str, secret: str, address: str = "198.51.100.7") -> Any:
    return client(address).post(STATUS, {"reference": reference, "secret": secret})


def test_the_status_shows_only_the_status_and_the_answer(personas: Personas) -> None:
    feedback = FeedbackFactory.create(
        office=personas.office_a,
        kind=Kind.COMPLAINT,
        message="My bag was lost at the airport.",
        status=FeedbackStatus.ANSWERED,
        response="We found your bag; it is at the office.",
        responded_at="2026-01-10T10:00:00Z",
        anonymous=False,
        name="Amina Yusuf",
        category="travel",
    )
    FeedbackNoteFactory.create(feedback=feedback, text="Internal: the airline was called.")
    other = FeedbackFactory.create(office=personas.office_a, message="Another person's message.")
    response = check(feedback.reference.lower().replace("-", " "), SECRET.lower())
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert "Answered" in body
    assert "We found your bag; it is at the office." in body
    assert "2026" in body
    for hidden in (
        "My bag was lost",
        "Office A",
        "office-a",
        "airline was called",
        "Amina",
        "Travel",
        other.message,
        str(feedback.pk),
    ):
        assert hidden not in body, hidden
    assert feedback.reference not in body  # not even echoed back


def test_an_unanswered_report_shows_its_status(personas: Personas) -> None:
    feedback = FeedbackFactory.create(office=personas.office_a, status=FeedbackStatus.TRIAGED)
    response = check(feedback.reference, SECRET)
    assert response.status_code == 200
    assert b"Triaged" in response.content
    assert b"no answer yet" in response.content


def _without_token(body: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def test_a_wrong_secret_reveals_nothing(personas: Personas) -> None:
    feedback = FeedbackFactory.create(
        office=personas.office_a, status=FeedbackStatus.ANSWERED, response="Answer text."
    )
    wrong = check(feedback.reference, "AAAA-BBBB-CCCC")
    unknown = check("FB-ZZZZ-ZZZZ", "AAAA-BBBB-CCCC", address="198.51.100.8")
    assert wrong.status_code == unknown.status_code == 404
    assert b"No report matches this code and secret" in wrong.content
    assert _without_token(wrong.content) == _without_token(unknown.content)
    assert b"Answer text" not in wrong.content
    assert b"Received" not in wrong.content


def test_the_status_check_is_rate_limited_per_reference(personas: Personas, settings: Any) -> None:
    settings.STATUS_CHECK_LIMIT = 3
    feedback = FeedbackFactory.create(office=personas.office_a, response="Answer text.")
    # Guesses from three addresses, one each: the reference's own count reaches the limit.
    for index in range(3):
        assert check(feedback.reference, "WRONG-SECRET", f"203.0.113.{index}").status_code == 404
    # Then even the right secret, from a fresh address, is refused.
    response = check(feedback.reference, SECRET, "203.0.113.99")
    assert response.status_code == 429
    assert b"try again later" in response.content
    assert b"Answer text" not in response.content
    # Another reference from a fresh address is still answered.
    other = FeedbackFactory.create(office=personas.office_a)
    assert check(other.reference, SECRET, "203.0.113.100").status_code == 200


def test_the_status_check_is_rate_limited_per_address(personas: Personas, settings: Any) -> None:
    settings.STATUS_CHECK_LIMIT = 2
    feedback = FeedbackFactory.create(office=personas.office_a)
    for index in range(2):
        check(f"FB-AAAA-AAA{index + 2}", "WRONG")
    assert check(feedback.reference, SECRET).status_code == 429


def test_codes_never_travel_in_a_url(personas: Personas) -> None:
    feedback = FeedbackFactory.create(office=personas.office_a)
    response = client().get(STATUS, {"reference": feedback.reference, "secret": SECRET})
    assert response.status_code == 200
    assert b"Received on" not in response.content
