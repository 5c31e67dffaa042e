from __future__ import annotations

from django.urls import path

from wayhome.exports import views

app_name = "exports"

urlpatterns = [
    path("", views.export_list_view, name="export-list"),
    path("<uuid:export_id>/", views.export_detail, name="export-detail"),
    path("<uuid:export_id>/progress/", views.export_progress, name="export-progress"),
    path("<uuid:export_id>/download", views.export_download, name="export-download"),
]
