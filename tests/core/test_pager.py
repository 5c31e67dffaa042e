"""The shared pager keeps a list's filters on its links, and swaps with htmx only when asked."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template.loader import render_to_string


def test_links_keep_the_filters_and_swap_only_when_asked() -> None:
    page = Paginator(list(range(100)), 10).get_page(3)
    html = render_to_string(
        "includes/pager.html",
        {"page": page, "pager_label": "Pages of cases", "filter_query": "status=closed"},
    )
    assert 'aria-label="Pages of cases"' in html
    assert 'href="?status=closed&amp;page=2" rel="prev"' in html
    assert 'href="?status=closed&amp;page=4" rel="next"' in html
    assert "Page 3 of 10" in html
    assert "hx-get" not in html
    swapped = render_to_string(
        "includes/pager.html",
        {"page": page, "pager_label": "Pages", "pager_target": "case-results"},
    )
    assert 'hx-get="?page=4" hx-target="#case-results"' in swapped
    first = render_to_string("includes/pager.html", {"page": Paginator([1, 2], 1).get_page(1)})
    assert 'rel="prev"' not in first
    assert 'rel="next"' in first
