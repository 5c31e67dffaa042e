"""Travel pages. A case's pages are ``<uuid:case_id>/...`` (404 for another office); a
hand-over is ``<uuid:handover_id>`` (the host office, and the origin office it was sent to)."""

from django.urls import URLPattern, path

from wayhome.movements import views

app_name = "movements"

urlpatterns: list[URLPattern] = [
    path("departures/", views.departures, name="departures"),
    path("manifest/", views.manifest, name="manifest"),
    path("manifest.csv", views.manifest, {"fmt": "csv"}, name="manifest-csv"),
    path("manifest.pdf", views.manifest, {"fmt": "pdf"}, name="manifest-pdf"),
    path("queue/", views.queue, name="queue"),
    path("handovers/", views.handover_list, name="handover-list"),
    path("handovers/<uuid:handover_id>/", views.handover_detail, name="handover-detail"),
    path(
        "handovers/<uuid:handover_id>/package.json",
        views.handover_download,
        {"fmt": "json"},
        name="handover-json",
    ),
    path(
        "handovers/<uuid:handover_id>/package.pdf",
        views.handover_download,
        {"fmt": "pdf"},
        name="handover-pdf",
    ),
    path(
        "handovers/<uuid:handover_id>/acknowledge/",
        views.handover_acknowledge,
        name="handover-acknowledge",
    ),
    path("handovers/<uuid:handover_id>/arrival/", views.handover_arrival, name="handover-arrival"),
    path("cases/<uuid:case_id>/", views.case_travel, name="case-travel"),
    path(
        "cases/<uuid:case_id>/members/<uuid:member_id>/documents/new/",
        views.document_create,
        name="document-create",
    ),
    path(
        "cases/<uuid:case_id>/documents/<uuid:travel_document_id>/",
        views.document_update,
        name="document-update",
    ),
    path("cases/<uuid:case_id>/bookings/new/", views.booking_create, name="booking-create"),
    path(
        "cases/<uuid:case_id>/bookings/<uuid:booking_id>/",
        views.booking_detail,
        name="booking-detail",
    ),
    path(
        "cases/<uuid:case_id>/bookings/<uuid:booking_id>/segments/",
        views.segment_create,
        name="segment-create",
    ),
    path(
        "cases/<uuid:case_id>/bookings/<uuid:booking_id>/segments/<uuid:segment_id>/delete/",
        views.segment_delete,
        name="segment-delete",
    ),
    path(
        "cases/<uuid:case_id>/bookings/<uuid:booking_id>/escorts/",
        views.escort_create,
        name="escort-create",
    ),
    path(
        "cases/<uuid:case_id>/bookings/<uuid:booking_id>/escorts/<uuid:escort_id>/delete/",
        views.escort_delete,
        name="escort-delete",
    ),
    path(
        "cases/<uuid:case_id>/bookings/<uuid:booking_id>/confirm/",
        views.booking_confirm,
        name="booking-confirm",
    ),
    path(
        "cases/<uuid:case_id>/bookings/<uuid:booking_id>/cancel/",
        views.booking_cancel,
        name="booking-cancel",
    ),
    path(
        "cases/<uuid:case_id>/reconfirmations/",
        views.reconfirmation_create,
        name="reconfirmation-create",
    ),
    path("cases/<uuid:case_id>/receptions/", views.reception_create, name="reception-create"),
    path("cases/<uuid:case_id>/departure/", views.departure_create, name="departure-create"),
    path("cases/<uuid:case_id>/no-show/", views.no_show_create, name="noshow-create"),
    path("cases/<uuid:case_id>/arrival/", views.arrival_create, name="arrival-create"),
    path("cases/<uuid:case_id>/handovers/new/", views.handover_create, name="handover-create"),
]
