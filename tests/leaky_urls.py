"""A URLconf with deliberately leaky views, for tests/test_isolation.py's meta-test only.

It serves the real routes plus pages and API operations that show every office's tokens,
ignoring who asks: the isolation checks must report each of them.
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import include, path
from django.utils.html import escape
from ninja import NinjaAPI, Schema

from wayhome.api.auth import bearer_auth
from wayhome.api.models import ApiToken


def leaky_detail(request: HttpRequest, token_id: uuid.UUID) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id)  # no access check
    return HttpResponse(token.name)


def leaky_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse(" ".join(str(pk) for pk in ApiToken.objects.values_list("pk", flat=True)))


def leaky_search(request: HttpRequest) -> HttpResponse:
    """Searches every office's tokens by id or by text."""
    query = request.GET.get("q", "")
    if not query:
        return HttpResponse("")
    found = [t for t in ApiToken.objects.all() if query in (str(t.pk), str(t))]
    return HttpResponse(
        "".join(f'<a href="/leaky/tokens/{t.pk}/">{escape(str(t))}</a>' for t in found)
    )


def leaky_post_search(request: HttpRequest) -> HttpResponse:
    """A page whose form POSTs ``q`` (as the people list does), searching every office."""
    form = '<form method="post" action=""><input name="q"></form>'
    if request.method != "POST":
        return HttpResponse(form)
    query = request.POST.get("q", "")
    found = [t for t in ApiToken.objects.all() if query in (str(t.pk), str(t))]
    return HttpResponse(form + "".join(str(t.pk) for t in found))


def widget_detail(request: HttpRequest, widget_id: uuid.UUID) -> HttpResponse:
    return HttpResponse(status=404)


leaky_api = NinjaAPI(urls_namespace="leaky-api", docs_url=None, auth=bearer_auth)


class SearchIn(Schema):
    q: str


@leaky_api.post("/tokens/search")
def api_search(request: HttpRequest, payload: SearchIn) -> list[str]:
    return [str(t.pk) for t in ApiToken.objects.all() if payload.q in (str(t.pk), str(t))]


@leaky_api.get("/tokens/{token_id}")
def api_detail(request: HttpRequest, token_id: uuid.UUID) -> dict[str, str]:
    return {"name": get_object_or_404(ApiToken, pk=token_id).name}


@leaky_api.get("/tokens")
def api_list(request: HttpRequest) -> list[str]:
    return [str(pk) for pk in ApiToken.objects.values_list("pk", flat=True)]


urlpatterns = [
    path("leaky/tokens/<uuid:token_id>/", leaky_detail),
    path("leaky/tokens/", leaky_list),
    path("leaky/search/", leaky_search),
    path("leaky/post-search/", leaky_post_search),
    path("leaky/widgets/<uuid:widget_id>/", widget_detail),
    path("leaky-api/", leaky_api.urls),
    path("", include("config.urls")),
]
