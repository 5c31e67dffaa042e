"""Rate limits without identification: fixed windows in the database, keyed digests, per address
and per target, the trusted-proxy rule."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import RequestFactory

from wayhome.core.models import RateCount
from wayhome.core.ratelimit import Limit, client_address, hit, over

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 12, 1, 12, 0, 5, tzinfo=datetime.UTC)


def test_the_limit_allows_exactly_count_requests_per_window() -> None:
    limit = Limit(3, 60)
    assert [hit("t", "k", limit, now=NOON) for _ in range(4)] == [True, True, True, False]
    # Another key and another scope have their own counts.
    assert hit("t", "other", limit, now=NOON)
    assert hit("u", "k", limit, now=NOON)
    # The next window starts afresh, and the windows that ended are forgotten.
    later = NOON + datetime.timedelta(seconds=60)
    assert hit("t", "k", limit, now=later)
    assert hit("t", "k", limit, now=later + datetime.timedelta(seconds=120))
    assert not RateCount.objects.filter(scope="t", window_start__lte=NOON).exists()


def test_keys_are_stored_as_digests() -> None:
    hit("t", "address:203.0.113.9", Limit(1, 60), now=NOON)
    stored = RateCount.objects.get(scope="t")
    assert "203.0.113.9" not in stored.key
    assert len(stored.key) >= 32


def test_over_counts_the_address_and_each_target(settings: Any) -> None:
    factory = RequestFactory()
    limit = Limit(2, 3600)
    first = factory.post("/", REMOTE_ADDR="198.51.100.1")
    second = factory.post("/", REMOTE_ADDR="198.51.100.2")
    assert not over(first, "s", limit, "FB-AAAA")
    assert not over(second, "s", limit, "FB-AAAA")
    # The target has now been tried twice (from two addresses): a third try is over the limit
    # even from a fresh address.
    third = factory.post("/", REMOTE_ADDR="198.51.100.3")
    assert over(third, "s", limit, "FB-AAAA")
    assert not over(third, "s", limit, "FB-BBBB")
    assert over(third, "s", limit, "FB-CCCC")  # the address itself is now over


def test_client_address_trusts_only_the_configured_proxies(settings: Any) -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5"
    )
    settings.PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.1"
    settings.PROXY_COUNT = 1
    assert client_address(request) == "203.0.113.5"  # a client cannot choose its address
    settings.PROXY_COUNT = 2
    assert client_address(request) == "1.1.1.1"
