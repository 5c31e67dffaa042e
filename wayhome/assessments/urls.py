from django.urls import path

from wayhome.assessments import views

app_name = "assessments"

_member = "cases/<uuid:case_id>/members/<uuid:member_id>/"
_assessment = f"{_member}assessments/<uuid:assessment_id>/"

urlpatterns = [
    path(_member, views.member_detail, name="member-detail"),
    path(f"{_member}assessments/new/", views.assessment_create, name="assessment-create"),
    path(f"{_member}consents/", views.step_consent_record, name="stepconsent-create"),
    path(_assessment, views.assessment_detail, name="assessment-detail"),
    path(f"{_assessment}break-glass/", views.break_glass, name="breakglass-create"),
    path("break-glass/", views.break_glass_list_view, name="breakglass-list"),
]
