"""The public pages: no sign-in, light (under 30 KB, no script), in every language (Arabic
right to left), the country pages with their language fallback and review notice."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import OfficeFactory
from tests.portal.factories import CountryPageFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "fr", "es", "ar")
MAX_BYTES = 30 * 1024


def _pages() -> list[str]:
    return [
        "/portal/",
        "/portal/countries/",
        "/portal/countries/NG/",
        "/portal/contact/",
        "/portal/contact/thanks/",
    ]


@pytest.fixture
def nigeria() -> None:
    lagos = OfficeFactory.create(code="ng-los", name="Lagos", kind="origin", country="NG")
    CountryPageFactory.create(office=lagos, country="NG", language="en", title="Back to Nigeria")
    CountryPageFactory.create(office=lagos, country="NG", language="fr", title="Retour au Nigeria")


@pytest.mark.usefixtures("nigeria")
@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_are_light_and_without_script(language: str) -> None:
    client = Client(headers={"accept-language": language})
    for url in _pages():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert len(response.content) < MAX_BYTES, f"{url} weighs {len(response.content)} bytes"
        assert "<script" not in html.lower(), url
        assert f'<html lang="{language}"' in html, url
        expected = "rtl" if language == "ar" else "ltr"
        assert re.search(rf'<html lang="{language}" dir="{expected}"', html), url


def test_contact_page_with_errors_is_light_too() -> None:
    OfficeFactory.create(code="de-ber", name="Berlin")
    response = Client(headers={"accept-language": "ar"}).post("/portal/contact/", {"name": "x"})
    assert response.status_code == 400
    assert len(response.content) < MAX_BYTES
    assert b"<script" not in response.content.lower()


@pytest.mark.usefixtures("nigeria")
def test_home_says_what_matters_to_someone_deciding() -> None:
    html = Client().get("/portal/").content.decode()
    for words in (
        "assisted voluntary return and reintegration",
        "Who can apply",
        "change your mind at any time",
        "you lose nothing",
        "only if you agree",
        "/portal/countries/",
        "/portal/contact/",
    ):
        assert words in html, words


@pytest.mark.usefixtures("nigeria")
def test_country_page_in_the_current_language_else_english() -> None:
    french = Client(headers={"accept-language": "fr"}).get("/portal/countries/NG/")
    assert "Retour au Nigeria" in french.content.decode()
    assert "Back to Nigeria" not in french.content.decode()
    spanish = Client(headers={"accept-language": "es"}).get("/portal/countries/NG/")
    html = spanish.content.decode()
    assert "Back to Nigeria" in html  # no Spanish page: English
    assert 'lang="en"' in html
    chosen = Client().get("/portal/countries/NG/?language=fr")
    assert "Retour au Nigeria" in chosen.content.decode()


def test_country_page_falls_back_to_any_published_language() -> None:
    CountryPageFactory.create(country="IQ", language="ar", title="العودة إلى العراق")
    html = Client(headers={"accept-language": "es"}).get("/portal/countries/IQ/").content.decode()
    assert "العودة إلى العراق" in html
    assert 'dir="rtl"' in html  # the Arabic text reads right to left inside a Spanish page


def test_country_page_names_its_office_and_last_review() -> None:
    office = OfficeFactory.create(name="Dakar")
    CountryPageFactory.create(office=office, country="SN", last_reviewed=datetime.date(2025, 3, 14))
    html = Client().get("/portal/countries/SN/").content.decode()
    assert "Maintained by the Dakar office." in html
    assert "Last reviewed on March 14, 2025." in html


def test_a_page_not_reviewed_for_a_year_says_so() -> None:
    old = timezone.localdate() - datetime.timedelta(days=400)
    CountryPageFactory.create(country="SN", last_reviewed=old)
    CountryPageFactory.create(country="NG")
    assert b"more than twelve months" in Client().get("/portal/countries/SN/").content
    assert b"more than twelve months" not in Client().get("/portal/countries/NG/").content


def test_unpublished_and_unknown_countries_answer_404() -> None:
    CountryPageFactory.create(country="SN", published=False)
    inactive = OfficeFactory.create(is_active=False)
    CountryPageFactory.create(office=inactive, country="IQ")
    client = Client()
    assert client.get("/portal/countries/SN/").status_code == 404
    assert client.get("/portal/countries/IQ/").status_code == 404
    assert client.get("/portal/countries/XX/").status_code == 404
    assert client.get("/portal/countries/nigeria/").status_code == 404


def test_lower_case_country_code_goes_to_the_page() -> None:
    CountryPageFactory.create(country="NG")
    response = Client().get("/portal/countries/ng/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/countries/NG/"


def test_country_list_shows_published_countries_by_name_without_ids() -> None:
    shown = CountryPageFactory.create(country="SN")
    other = CountryPageFactory.create(country="AF")
    hidden = CountryPageFactory.create(country="IQ", published=False)
    html = Client().get("/portal/countries/").content.decode()
    assert "Senegal" in html
    assert "Afghanistan" in html
    assert html.index("Afghanistan") < html.index("Senegal")
    assert "Iraq" not in html
    for page in (shown, other, hidden):
        assert str(page.pk) not in html
        assert str(page.office_id) not in html


def test_country_list_names_countries_in_the_visitors_language() -> None:
    CountryPageFactory.create(country="DE")
    html = Client(headers={"accept-language": "fr"}).get("/portal/countries/").content.decode()
    assert "Allemagne" in html
