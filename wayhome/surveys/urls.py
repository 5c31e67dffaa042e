"""Staff pages of the surveys (``/surveys/``); views in ``views.py``.

A case's pages are ``cases/<uuid:case_id>/...`` (404 for anyone who does not work the case);
instruments are addressed by their code and version number (shared by every office); schedule
items by their id (404 outside the user's offices). Anything personal is POSTed."""

from __future__ import annotations

from django.urls import URLPattern, path

from wayhome.surveys import views

app_name = "surveys"

CASE = "cases/<uuid:case_id>/"
INTERVIEW = CASE + "interviews/<uuid:interview_id>/"
VERSION = "instruments/<slug:code>/<int:number>/"
ITEM = "schedules/<uuid:schedule_item_id>/"

urlpatterns: list[URLPattern] = [
    path("", views.followups, name="followups"),
    path(CASE, views.case, name="case"),
    path(CASE + "interviews/new/", views.interview_create, name="interview-create"),
    path(INTERVIEW, views.interview, name="interview"),
    path(INTERVIEW + "recompute/", views.interview_recompute, name="interview-recompute"),
    path("instruments/", views.instrument_list, name="instrument-list"),
    path("instruments/<slug:code>/new/", views.version_create, name="version-create"),
    path(VERSION, views.version, name="version"),
    path(VERSION + "publish/", views.version_publish, name="version-publish"),
    path("schedules/", views.schedule_list, name="schedule-list"),
    path(ITEM, views.schedule_item, name="schedule-item"),
    path(ITEM + "deactivate/", views.schedule_deactivate, name="schedule-deactivate"),
    path("results/", views.results, name="results"),
]
