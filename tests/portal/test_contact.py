"""The contact form: an inquiry in the chosen office's queue, stored encrypted; a honeypot that
saves nothing; consent required; a rate limit per address; POST-redirect-GET with nothing
personal in the URL; bad input re-shown with what was typed."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tests.factories import OfficeFactory
from wayhome.accounts.models import Office
from wayhome.audit.models import AuditEvent
from wayhome.portal.models import Channel, Inquiry, InquiryStatus

pytestmark = pytest.mark.django_db

URL = "/portal/contact/"
NAME = "Aminata Sow-Rarename"
PHONE = "+221 77 123 4567"
EMAIL = "aminata.rarename@example.org"
MESSAGE = "Je voudrais rentrer à Thiès avec mes deux enfants."


@pytest.fixture
def berlin() -> Office:
    return OfficeFactory.create(code="de-ber", name="Berlin", country="DE")


def _form(**changes: Any) -> dict[str, Any]:
    data = {
        "office": "de-ber",
        "name": NAME,
        "phone": PHONE,
        "email": EMAIL,
        "preferred_language": "wo",
        "country_of_origin": "SN",
        "best_time": "evening",
        "message": MESSAGE,
        "callback_consent": "on",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _raw_row(inquiry: Inquiry) -> tuple[Any, ...]:
    table = Inquiry._meta.db_table
    pk = Inquiry._meta.pk.get_db_prep_value(inquiry.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT name, phone, email, message FROM {table} WHERE id = %s",  # noqa: S608
            [pk],
        )
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)


def test_the_form_offers_offices_by_code_never_by_id(berlin: Office) -> None:
    OfficeFactory.create(code="closed-office", name="Closed office", is_active=False)
    html = Client().get(URL).content.decode()
    assert 'value="de-ber"' in html
    assert str(berlin.pk) not in html
    assert berlin.pk.hex not in html
    assert "Closed office" not in html
    assert 'name="website"' in html  # the honeypot
    assert 'aria-hidden="true"' in html


def test_an_inquiry_reaches_the_office_encrypted(berlin: Office) -> None:
    response = Client().post(URL, _form())
    assert response.status_code == 302
    assert response["Location"] == "/portal/contact/thanks/"
    inquiry = Inquiry.objects.get()
    assert inquiry.office == berlin
    assert (inquiry.name, inquiry.phone, inquiry.email, inquiry.message) == (
        NAME,
        PHONE,
        EMAIL,
        MESSAGE,
    )
    assert inquiry.status == InquiryStatus.NEW
    assert inquiry.channel == Channel.PORTAL
    assert (inquiry.preferred_language, inquiry.country_of_origin, inquiry.best_time) == (
        "wo",
        "SN",
        "evening",
    )
    assert inquiry.callback_consent is True
    raw = b"".join(bytes(value) for value in _raw_row(inquiry))
    for plain in (NAME, PHONE, EMAIL, MESSAGE, "Aminata", "Thiès"):
        assert plain.encode() not in raw
    event = AuditEvent.objects.get(action="portal.inquiry_receive")
    assert event.office_id == berlin.pk
    assert NAME not in str(event.details)
    assert NAME not in str(inquiry)


def test_the_thanks_page_follows_and_says_nothing_personal(berlin: Office) -> None:
    response = Client().post(URL, _form(), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/portal/contact/thanks/", 302)]
    html = response.content.decode()
    assert "Thank you" in html
    for plain in (NAME, PHONE, EMAIL, "de-ber"):
        assert plain not in html
        assert plain not in response.redirect_chain[0][0]


def test_a_filled_honeypot_answers_like_success_and_saves_nothing(berlin: Office) -> None:
    response = Client().post(URL, _form(website="http://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == "/portal/contact/thanks/"
    assert not Inquiry.objects.exists()
    assert not AuditEvent.objects.filter(action="portal.inquiry_receive").exists()


def test_consent_is_required(berlin: Office) -> None:
    response = Client().post(URL, _form(callback_consent=None))
    assert response.status_code == 400
    html = response.content.decode()
    assert "We can only contact you if you tick this box." in html
    assert not Inquiry.objects.exists()


def test_a_phone_or_an_email_is_required(berlin: Office) -> None:
    response = Client().post(URL, _form(phone="", email=""))
    assert response.status_code == 400
    assert "Give a phone number or an e-mail address" in response.content.decode()
    assert not Inquiry.objects.exists()
    only_email = Client().post(URL, _form(phone=""))
    assert only_email.status_code == 302
    assert Inquiry.objects.get().phone == ""


def test_bad_input_is_shown_again_with_what_was_typed(berlin: Office) -> None:
    response = Client().post(URL, _form(email="not-an-address", phone="call me"))
    assert response.status_code == 400
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert f'value="{NAME}"' in html
    assert "Je voudrais rentrer" in html
    assert 'value="de-ber" selected' in html
    assert "Enter a valid email address." in html
    assert "Write the phone number with digits" in html
    assert not Inquiry.objects.exists()


def test_an_unknown_or_inactive_office_is_refused(berlin: Office) -> None:
    OfficeFactory.create(code="gone", is_active=False)
    for code in ("gone", "nowhere", str(berlin.pk)):
        response = Client().post(URL, _form(office=code))
        assert response.status_code == 400, code
    assert not Inquiry.objects.exists()


def test_over_the_limit_answers_429_and_saves_nothing(berlin: Office, settings: Any) -> None:
    settings.PUBLIC_FORM_LIMIT = 3
    client = Client()
    for _ in range(3):
        assert client.post(URL, _form()).status_code == 302
    assert Inquiry.objects.count() == 3
    response = client.post(URL, _form())
    assert response.status_code == 429
    html = response.content.decode()
    assert "try again in an hour" in html
    assert f'value="{NAME}"' in html  # what was typed is kept
    assert Inquiry.objects.count() == 3
    # The honeypot does not get around the limit either, and another address is not limited.
    assert client.post(URL, _form(website="x")).status_code == 429
    other = Client(REMOTE_ADDR="192.0.2.44")
    assert other.post(URL, _form()).status_code == 302
    assert Inquiry.objects.count() == 4
