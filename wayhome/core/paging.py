"""Paging that stays fast on a million rows: counts stop at a cap.

An exact ``COUNT(*)`` of a filtered list reads every matching row; on a national register it
costs more than the page itself (64 ms at 100,000 cases, ten times that at a million). Nobody
pages through ten thousand results: past the cap a list says "more than 10,000" and asks for a
narrower filter. The count reads at most ``cap + 1`` rows (``SELECT COUNT(*) FROM (... LIMIT
cap + 1)``), so its cost is bounded whatever the register's size (ADR 0025).

``CappedPaginator`` serves the pages (Django's ``Paginator``: ``count`` and ``num_pages`` stop at
the cap, ``capped`` says whether there was more); ``CappedLimitOffset`` is the API's pagination
(``count`` at most the cap, ``count_capped`` true when there are more items).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination

#: The largest ``limit`` and ``offset`` the API takes: beyond a database integer they made the
#: query fail (a server error, found by the schemathesis test) instead of an empty page.
MAX_PAGING_VALUE = 2**31 - 1


def count_cap() -> int:
    """The most rows a list counts (``WAYHOME_LIST_COUNT_CAP``, default 10,000)."""
    return int(settings.LIST_COUNT_CAP)


def capped_count(items: Any, cap: int) -> tuple[int, bool]:
    """(count, capped): the number of items up to ``cap``, and whether there are more. A query
    set is counted in the database reading at most ``cap + 1`` rows; a list in memory costs
    nothing to count and is never capped."""
    if not isinstance(items, QuerySet):
        return len(items), False
    found = items[: cap + 1].count()
    return min(found, cap), found > cap


class CappedPaginator(Paginator):
    """A ``Paginator`` whose count stops at the cap: the pages beyond it are not served (the
    last page is the one holding row ``cap``), and ``capped`` tells the template to say so."""

    def __init__(self, object_list: Any, per_page: int, **kwargs: Any) -> None:
        self.cap: int = kwargs.pop("cap", None) or count_cap()
        super().__init__(object_list, per_page, **kwargs)

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        return capped_count(self.object_list, self.cap)

    @cached_property
    def count(self) -> int:
        return self._counted[0]

    @property
    def capped(self) -> bool:
        """Whether there are more items than ``count`` (and than the pages served)."""
        return self._counted[1]


class CappedLimitOffset(LimitOffsetPagination):
    """``limit``/``offset`` paging whose ``count`` stops at the cap (``count_capped`` is then
    true): used by every API list."""

    class Input(Schema):
        limit: int = Field(ninja_settings.PAGINATION_PER_PAGE, ge=1, le=MAX_PAGING_VALUE)
        offset: int = Field(0, ge=0, le=MAX_PAGING_VALUE)

    class Output(Schema):
        items: list[Any]
        count: int = Field(
            description="How many items match, counted up to the cap (10,000 by default)."
        )
        count_capped: bool = Field(
            description="True when more items match than `count`: narrow the filters to see "
            "them all."
        )

    def paginate_queryset(
        self,
        queryset: QuerySet[Any],
        pagination: Any,
        request: HttpRequest,
        **params: Any,
    ) -> Any:
        offset = pagination.offset
        limit: int = min(pagination.limit, self.max_limit)
        count, capped = capped_count(queryset, count_cap())
        return {
            self.items_attribute: queryset[offset : offset + limit],
            "count": count,
            "count_capped": capped,
        }
