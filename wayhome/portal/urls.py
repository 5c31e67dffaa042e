"""The staff side of the portal (``/outreach/``): inquiries from the public and the country pages
the user's offices maintain; views in ``views.py``. Changes are POSTed."""

from __future__ import annotations

from django.urls import URLPattern, path

from wayhome.portal import views

app_name = "outreach"

INQUIRY = "inquiries/<uuid:inquiry_id>/"
PAGE = "country-pages/<uuid:country_page_id>/"

urlpatterns: list[URLPattern] = [
    path("inquiries/", views.inquiry_list, name="inquiry-list"),
    path(INQUIRY, views.inquiry_detail, name="inquiry-detail"),
    path("country-pages/", views.country_page_list, name="country-page-list"),
    path("country-pages/new/", views.country_page_create, name="country-page-create"),
    path(PAGE, views.country_page_detail, name="country-page-detail"),
    path(PAGE + "publish/", views.country_page_publish, name="country-page-publish"),
    path(PAGE + "review/", views.country_page_review, name="country-page-review"),
]
