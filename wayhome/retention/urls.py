from __future__ import annotations

from django.urls import path

from wayhome.retention import views

app_name = "retention"

urlpatterns = [
    path("", views.rule_list, name="rule-list"),
    path("rules/<uuid:retention_rule_id>/", views.rule_detail, name="rule-detail"),
    path("holds/", views.hold_list, name="hold-list"),
    path("holds/<uuid:legal_hold_id>/", views.hold_detail, name="hold-detail"),
    path("runs/", views.run_list, name="run-list"),
    path("runs/<uuid:retention_run_id>/", views.run_detail, name="run-detail"),
]
