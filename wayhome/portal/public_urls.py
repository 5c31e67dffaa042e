"""The public portal (``/portal/``, no sign-in); views in ``views.py``. Countries are in URLs by
their ISO code; nothing about a person ever is."""

from __future__ import annotations

from django.urls import URLPattern, path

from wayhome.portal import views

app_name = "portal"

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("countries/", views.country_list, name="country-list"),
    path("countries/<str:country>/", views.country_detail, name="country-detail"),
    path("contact/", views.contact, name="contact"),
    path("contact/thanks/", views.contact_thanks, name="contact-thanks"),
]
