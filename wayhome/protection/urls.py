from __future__ import annotations

from django.urls import path

from wayhome.protection import views

app_name = "protection"

urlpatterns = [
    path("alerts/", views.alert_list_view, name="alert-list"),
    path("alerts/<uuid:access_alert_id>/", views.alert_detail, name="alert-detail"),
    path("transfers/", views.transfer_list_view, name="transfer-list"),
    path("requests/", views.request_list_view, name="request-list"),
    path(
        "people/<uuid:person_id>/requests/new/",
        views.request_create_view,
        name="request-create",
    ),
    path("requests/<uuid:data_request_id>/", views.request_detail, name="request-detail"),
    path(
        "requests/<uuid:data_request_id>/bundle.pdf",
        views.request_bundle_pdf,
        name="request-bundle-pdf",
    ),
    path(
        "requests/<uuid:data_request_id>/bundle.json",
        views.request_bundle_json,
        name="request-bundle-json",
    ),
]
