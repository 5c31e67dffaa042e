from django.urls import path

from wayhome.consent import views

app_name = "consent"

_member = "cases/<uuid:case_id>/members/<uuid:member_id>/"

urlpatterns = [
    path("cases/<uuid:case_id>/", views.case_detail, name="case-detail"),
    path("cases/<uuid:case_id>/sessions/new/", views.session_create, name="session-create"),
    path(f"{_member}declaration/", views.declaration_record, name="declaration-record"),
    path(f"{_member}declaration/form/", views.declaration_form, name="declaration-form"),
    path(f"{_member}declaration/review/", views.declaration_review, name="declaration-review"),
    path(f"{_member}capacity/", views.capacity_record, name="capacity-record"),
    path(f"{_member}representatives/", views.representative_add, name="representative-add"),
    path(f"{_member}decisions/", views.decision_record, name="decision-record"),
    path(f"{_member}decisions/<uuid:decision_id>/form/", views.decision_form, name="decision-form"),
    path("cases/<uuid:case_id>/withdraw/", views.withdrawal_create, name="withdrawal-create"),
    path("people/<uuid:person_id>/consents/", views.consent_list, name="consent-list"),
    path(
        "people/<uuid:person_id>/consents/<uuid:consent_id>/revoke/",
        views.consent_revoke,
        name="consent-revoke",
    ),
]
