"""The public feedback pages (``/portal/feedback/``, no sign-in): ``submit`` and ``status``."""

from django.urls import URLPattern, path

from wayhome.feedback import public_views

app_name = "feedback-public"

urlpatterns: list[URLPattern] = [
    path("", public_views.submit, name="submit"),
    path("status/", public_views.status, name="status"),
]
