"""Gives every error under /api/v1/ the one error shape.

The API's own exception handlers shape what operations raise (wayhome/api/errors.py). This
middleware shapes the rest: Django's 404 for an unknown route, the 405 of a wrong method, and the
500 of an unhandled exception (whose page, in DEBUG, would hold a stack trace). The original body
is dropped, never copied.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from wayhome.api.errors import error_response, is_shaped

API_PREFIX = "/api/v1/"


class ApiErrorShapeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(API_PREFIX)
            or is_shaped(response)
        ):
            return response
        shaped = error_response(response.status_code)
        for header in ("Allow", "Retry-After", "X-Request-ID"):
            if header in response:
                shaped[header] = response[header]
        return shaped
