from django.urls import path

from wayhome.core.ratelimit import limit_searches
from wayhome.people import views

app_name = "people"

urlpatterns = [
    path("", limit_searches(views.person_list), name="person-list"),
    path("new/", views.person_create, name="person-create"),
    path("enquiries/", views.enquiry_list, name="enquiry-list"),
    path("enquiries/new/", views.enquiry_create, name="enquiry-create"),
    path("enquiries/<uuid:match_enquiry_id>/", views.enquiry_detail, name="enquiry-detail"),
    path(
        "decisions/<uuid:duplicate_decision_id>/reverse/",
        views.duplicate_decision_reverse,
        name="duplicate-decision-reverse",
    ),
    path("<uuid:person_id>/", views.person_detail, name="person-detail"),
    path("<uuid:person_id>/edit/", views.person_update, name="person-update"),
    path("<uuid:person_id>/photo/", views.person_photo, name="person-photo"),
    path("<uuid:person_id>/duplicates/", views.person_duplicates, name="person-duplicates"),
    path("<uuid:person_id>/documents/new/", views.document_create, name="document-create"),
    path(
        "<uuid:person_id>/documents/<uuid:document_id>/edit/",
        views.document_update,
        name="document-update",
    ),
    path(
        "<uuid:person_id>/documents/<uuid:document_id>/delete/",
        views.document_delete,
        name="document-delete",
    ),
]
