"""The application's URLs plus views that fail in each way, for tests/security/test_error_pages.py.

Each failure carries ``SECRET_DETAIL`` (a path, an SQL fragment, a setting's name), which must
never reach the error page the client gets.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns

SECRET_DETAIL = "SELECT secret_column FROM /srv/wayhome/config/settings.py SECRET_KEY canary-7f3a"


def server_error(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(SECRET_DETAIL)


def database_error(request: HttpRequest) -> HttpResponse:
    raise DatabaseError(SECRET_DETAIL)


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied(SECRET_DETAIL)


def bad_request(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation(SECRET_DETAIL)


urlpatterns = [
    path("test-errors/500/", server_error),
    path("test-errors/database/", database_error),
    path("test-errors/403/", forbidden),
    path("test-errors/400/", bad_request),
    *app_urlpatterns,
]
