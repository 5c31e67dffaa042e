from django.urls import path

from wayhome.api import views
from wayhome.api.api import api

app_name = "api"

urlpatterns = [
    path("tokens/", views.token_list, name="token-list"),
    path("tokens/<uuid:token_id>/revoke/", views.token_revoke, name="token-revoke"),
    path("v1/docs", views.operation_list, name="operation-list"),
    path("v1/", api.urls),
]
