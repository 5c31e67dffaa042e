from django.urls import path

from wayhome.people import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="person-list"),
    path("new/", views.person_create, name="person-create"),
    path("<uuid:person_id>/", views.person_detail, name="person-detail"),
    path("<uuid:person_id>/edit/", views.person_update, name="person-update"),
]
