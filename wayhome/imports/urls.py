from __future__ import annotations

from django.urls import path

from wayhome.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.run_list, name="run-list"),
    path("new/", views.run_create, name="run-create"),
    path("runs/<uuid:import_run_id>/", views.run_detail, name="run-detail"),
    path("runs/<uuid:import_run_id>/progress/", views.run_progress, name="run-progress"),
    path("runs/<uuid:import_run_id>/report.csv", views.run_report, name="run-report"),
    path("runs/<uuid:import_run_id>/apply/", views.run_apply, name="run-apply"),
    path("sources/", views.source_list, name="source-list"),
    path("sources/new/", views.source_create, name="source-create"),
    path("sources/<uuid:import_source_id>/", views.source_update, name="source-update"),
]
