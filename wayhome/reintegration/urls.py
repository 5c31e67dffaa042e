"""Staff pages of the reintegration side (``/reintegration/``); views in ``views.py``."""

from __future__ import annotations

from django.urls import path

from wayhome.reintegration import views

app_name = "reintegration"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("partners/", views.partner_list, name="partner-list"),
]
