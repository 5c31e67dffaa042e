"""A URLconf with deliberately N+1 views, for tests/test_query_budget.py's meta-test only.

It serves the real routes plus lists that make one more query per row shown (the owner of each
token, the person of each document of a person) and one list that does not: the query-budget checks
must report the first and pass the last.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from ninja import NinjaAPI, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from wayhome.api.auth import bearer_auth
from wayhome.api.models import ApiToken
from wayhome.people.models import IdentityDocument, Person


def leaky_tokens(request: HttpRequest) -> HttpResponse:
    """Each token's owner fetched on its own (no select_related)."""
    return HttpResponse(" ".join(token.user.email for token in ApiToken.objects.all()))


def counted_tokens(request: HttpRequest) -> HttpResponse:
    """The same list with its owners joined: one query whatever the number of tokens."""
    tokens = ApiToken.objects.select_related("user")
    return HttpResponse(" ".join(token.user.email for token in tokens))


def leaky_documents(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """The documents of a person, each document's person fetched on its own."""
    documents = IdentityDocument.objects.filter(person_id=person_id)
    return HttpResponse(" ".join(str(Person.objects.get(pk=d.person_id).pk) for d in documents))


leaky_api = NinjaAPI(urls_namespace="leaky-query-api", docs_url=None, auth=bearer_auth)


class SearchIn(Schema):
    q: str


def _owners(tokens: Any) -> list[str]:
    return [token.user.email for token in tokens]


@leaky_api.get("/tokens", response=list[str])
@paginate(LimitOffsetPagination)
def api_tokens(request: HttpRequest) -> Any:
    """Paged with ``limit``: the owners are fetched per row of the page."""
    return _LazyOwners(ApiToken.objects.order_by("pk"))


@leaky_api.post("/tokens/search")
def api_search(request: HttpRequest, payload: SearchIn) -> list[str]:
    """Every token's owner, whatever is searched, fetched per row."""
    return _owners(ApiToken.objects.all())


class _LazyOwners:
    """A sliceable sequence of owners' e-mails that queries each owner when sliced."""

    def __init__(self, tokens: Any) -> None:
        self.tokens = tokens

    def __len__(self) -> int:
        return int(self.tokens.count())

    def __getitem__(self, index: slice) -> list[str]:
        return _owners(self.tokens[index])


urlpatterns = [
    path("leaky/tokens/", leaky_tokens),
    path("leaky/tokens/counted/", counted_tokens),
    path("leaky/people/<uuid:person_id>/documents/", leaky_documents),
    path("leaky-api/", leaky_api.urls),
    path("", include("config.urls")),
]
