from django.urls import path

from wayhome.api import views

app_name = "api"

urlpatterns = [
    path("tokens/", views.token_list, name="token-list"),
]
