from __future__ import annotations

from django.urls import path

from wayhome.protection import views

app_name = "protection"

urlpatterns = [
    path("alerts/", views.alert_list_view, name="alert-list"),
    path("alerts/<uuid:access_alert_id>/", views.alert_detail, name="alert-detail"),
    path("transfers/", views.transfer_list_view, name="transfer-list"),
]
