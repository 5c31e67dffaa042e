"""Every page, as a user of the office that holds the objects: well-formed for assistive
technology. Generated from the URL configuration like the isolation test, so a new page is
checked without editing this file.

- no id appears twice on a page (two forms with a field of the same name would tie a label to
  the wrong input);
- every ``<label for>`` names an element on the page.
"""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest

from tests.conftest import Personas, client_for
from tests.factories import UserFactory
from tests.test_isolation import collect_routes, make_objects, ui_url
from wayhome.accounts.permissions import Role

pytestmark = pytest.mark.django_db

PAGES = sorted(
    (route for route in collect_routes() if route.kind == "ui" and "GET" in route.methods),
    key=lambda route: route.template,
)


class IdFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.label_targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids[value] += 1
            if tag == "label" and name == "for" and value:
                self.label_targets.append(value)


def id_problems(html: str) -> list[str]:
    finder = IdFinder()
    finder.feed(html)
    problems = [f"id {i!r} appears {n} times" for i, n in finder.ids.items() if n > 1]
    problems += [
        f"<label for={target!r}> names no element"
        for target in finder.label_targets
        if target not in finder.ids
    ]
    return problems


def test_the_checker_can_fail() -> None:
    page = '<form><label for="a">A</label><input id="a"><input id="a"><label for="b">B</label>'
    assert id_problems(page) == ["id 'a' appears 2 times", "<label for='b'> names no element"]
    assert id_problems('<label for="a">A</label><input id="a">') == []


def test_pages_have_unique_ids_and_labelled_inputs(personas: Personas) -> None:
    office = personas.office_a
    user = UserFactory.create(
        email="everything-a@example.org",
        roles=[(office, role) for role in (Role.CASEWORKER, Role.MANAGER, Role.ADMIN)],
    )
    client = client_for(user)
    problems: list[str] = []
    checked = 0
    for route in PAGES:
        made = make_objects(route, office)
        if made.problems:
            continue  # the isolation test reports routes without a factory
        response = client.get(ui_url(route, made.objects))
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        checked += 1
        problems += [f"{route.template}: {p}" for p in id_problems(response.content.decode())]
    assert checked >= 25, f"only {checked} pages answered 200: the check proves little"
    assert not problems, "\n".join(problems)
