from django.urls import path

from wayhome.cases import views
from wayhome.core.ratelimit import limit_searches

app_name = "cases"

urlpatterns = [
    path("", limit_searches(views.case_list), name="case-list"),
    path("new/", limit_searches(views.case_create), name="case-create"),
    path("regions/", views.case_regions, name="case-regions"),
    path("<uuid:case_id>/", views.case_detail, name="case-detail"),
    path("<uuid:case_id>/edit/", views.case_update, name="case-update"),
    path("<uuid:case_id>/transition/", views.case_transition, name="case-transition"),
    path(
        "<uuid:case_id>/members/add/", limit_searches(views.case_member_add), name="case-member-add"
    ),
]
