from django.urls import URLPattern

app_name = "feedback-public"

urlpatterns: list[URLPattern] = []
