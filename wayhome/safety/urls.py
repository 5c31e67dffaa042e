"""Safety pages. Restriction versions are ``<uuid:restriction>`` (global register, not office
data: no ``_id`` suffix, ADR 0017); a case's page is ``<uuid:case_id>`` (404 for another office)."""

from django.urls import URLPattern, path

from wayhome.safety import views

app_name = "safety"

urlpatterns: list[URLPattern] = [
    path("", views.dashboard, name="dashboard"),
    path("restrictions/", views.restriction_list_view, name="restriction-list"),
    path("restrictions/new/", views.restriction_create, name="restriction-create"),
    path("restrictions/<uuid:restriction>/", views.restriction_detail, name="restriction-detail"),
    path(
        "restrictions/<uuid:restriction>/revise/",
        views.restriction_revise,
        name="restriction-revise",
    ),
    path("check/", views.check, name="check"),
    path("cases/<uuid:case_id>/", views.case_restriction, name="case-restriction"),
]
