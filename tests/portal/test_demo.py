"""The demo content: published pages for Nigeria, Iraq and Senegal by their origin offices, two
inquiries to Berlin; a second run creates nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import OfficeFactory
from wayhome.portal.demo import seed_portal
from wayhome.portal.models import CountryPage, Inquiry

pytestmark = pytest.mark.django_db


def test_seed_portal_is_idempotent() -> None:
    for code, country in (("ng-los", "NG"), ("iq-bgw", "IQ"), ("sn-dkr", "SN"), ("de-ber", "DE")):
        OfficeFactory.create(code=code, country=country)
    made = seed_portal(None)
    assert made == CountryPage.objects.count() + Inquiry.objects.count()
    assert Inquiry.objects.filter(office__code="de-ber").count() == 2
    for country, office in (("NG", "ng-los"), ("IQ", "iq-bgw"), ("SN", "sn-dkr")):
        pages = CountryPage.objects.filter(country=country, published=True)
        assert {p.language for p in pages} >= {"en", "fr"}
        assert {p.office.code for p in pages} == {office}
    assert seed_portal(None) == 0
    html = Client(headers={"accept-language": "fr"}).get("/portal/countries/SN/").content
    assert "Retourner au Sénégal".encode() in html
    assert b"depuis plus de douze mois" in html  # the demo's overdue page, in French
