from django.urls import path

from wayhome.eligibility import views

app_name = "eligibility"

urlpatterns = [
    path("rules/", views.ruleset_list_view, name="ruleset-list"),
    path("rules/<str:programme>/new/", views.ruleset_create_view, name="ruleset-create"),
    path("rules/<str:programme>/<int:version>/", views.ruleset_detail, name="ruleset-detail"),
    path("cases/<uuid:case_id>/", views.decision_detail, name="decision-detail"),
    path("cases/<uuid:case_id>/decide/", views.decision_create, name="decision-create"),
    path("cases/<uuid:case_id>/override/", views.decision_override, name="decision-override"),
]
