"""Rate limits without identification: fixed windows counted in the database.

Public forms (the portal's contact and feedback forms, the status check of a report) cannot ask
who is sending, so they are limited per client address and, where it applies, per target (a
reference code being guessed at). Counts live in the database (``RateCount``) so that every
application process and server sees the same numbers; keys are stored as keyed digests, never as
the address itself.

``hit`` counts one request and says whether it is within the limit; ``client_address`` is the
address the limit is keyed on (``WAYHOME_PROXY_COUNT`` trusted proxies in front).

Searches by name or date of birth (``limit_searches``) are limited per signed-in user, so that an
account cannot be used to sweep the register by guessing names (``WAYHOME_SEARCH_LIMIT``).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from wayhome.core.crypto import blind_index
from wayhome.core.models import RateCount


@dataclass(frozen=True)
class Limit:
    """At most ``count`` requests per ``seconds`` for one key."""

    count: int
    seconds: int


def client_address(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or, behind ``PROXY_COUNT`` trusted proxies, the
    address the outermost trusted proxy saw (read from the right of ``X-Forwarded-For``)."""
    proxies = int(getattr(settings, "PROXY_COUNT", 0))
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def _window_start(now: datetime.datetime, seconds: int) -> datetime.datetime:
    epoch = int(now.timestamp())
    return datetime.datetime.fromtimestamp(epoch - epoch % seconds, tz=datetime.UTC)


def hit(scope: str, key: str, limit: Limit, *, now: datetime.datetime | None = None) -> bool:
    """Counts one request of ``key`` in ``scope``; True while the count is within ``limit``."""
    now = now or timezone.now()
    start = _window_start(now, limit.seconds)
    digest = blind_index(f"rate-limit:{scope}", key)
    with transaction.atomic():
        updated = RateCount.objects.filter(scope=scope, key=digest, window_start=start).update(
            count=F("count") + 1
        )
        if not updated:
            try:
                with transaction.atomic():
                    RateCount.objects.create(scope=scope, key=digest, window_start=start, count=1)
            except IntegrityError:  # another request created it first
                RateCount.objects.filter(scope=scope, key=digest, window_start=start).update(
                    count=F("count") + 1
                )
            # A new window: forget this scope's windows that ended (keeps the table small).
            RateCount.objects.filter(
                scope=scope, window_start__lt=start - datetime.timedelta(seconds=limit.seconds)
            ).delete()
        count = RateCount.objects.filter(scope=scope, key=digest, window_start=start).values_list(
            "count", flat=True
        )[0]
    return count <= limit.count


def over(request: HttpRequest, scope: str, limit: Limit, *extra: str) -> bool:
    """Counts one request of this client (and of each ``extra`` target) in ``scope``; True when
    any of them is over ``limit``."""
    keys = [f"address:{client_address(request)}", *(f"target:{value}" for value in extra)]
    results = [hit(scope, key, limit) for key in keys]
    return not all(results)


def search_allowed(user: Any) -> bool:
    """Counts one search by ``user``; False beyond ``SEARCH_LIMIT`` searches in an hour."""
    return hit("search", f"user:{user.pk}", Limit(int(settings.SEARCH_LIMIT), 3600))


def limit_searches(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """A page that searches with ``q`` (POSTed, or GET for hand-made links): each request with a
    search text counts against the user's ``SEARCH_LIMIT``; beyond it, 429 and no search."""

    @functools.wraps(view)
    def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        data = request.POST if request.method == "POST" else request.GET
        searching = bool(str(data.get("q", "")).strip())
        if searching and request.user.is_authenticated and not search_allowed(request.user):
            response = render(request, "429.html", status=429)
            response["Cache-Control"] = "no-store"
            return response
        return view(request, *args, **kwargs)

    return limited
