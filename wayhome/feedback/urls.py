"""Staff pages of feedback (``/feedback/``); views in ``views.py``. A report's page is
``<uuid:feedback_id>/`` (404 for anyone who does not handle its queue in its office); actions are
POSTed."""

from __future__ import annotations

from django.urls import URLPattern, path

from wayhome.feedback import views

app_name = "feedback"

REPORT = "<uuid:feedback_id>/"

urlpatterns: list[URLPattern] = [
    path("", views.feedback_list, name="feedback-list"),
    path("misconduct/", views.misconduct_list, name="misconduct-list"),
    path("new/", views.feedback_create, name="feedback-create"),
    path("statistics/", views.statistics, name="statistics"),
    path(REPORT, views.feedback_detail, name="feedback-detail"),
    path(REPORT + "triage/", views.feedback_triage, name="feedback-triage"),
    path(REPORT + "note/", views.feedback_note, name="feedback-note"),
    path(REPORT + "respond/", views.feedback_respond, name="feedback-respond"),
    path(REPORT + "close/", views.feedback_close, name="feedback-close"),
    path(REPORT + "route/", views.feedback_route, name="feedback-route"),
]
