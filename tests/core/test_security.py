"""Security headers, the Content-Security-Policy and inline-free HTML on every page.

The pages are found from the URL configuration, so a new page is covered without editing this
test. /api/ is JSON and tested with the API.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from config.env import new_key
from tests.factories import OfficeFactory, UserFactory
from wayhome.accounts.permissions import Role

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_PREFIXES = ("/api/",)


def _parameterless_paths(patterns: list[Any], prefix: str = "") -> list[str]:
    paths: list[str] = []
    for entry in patterns:
        route = str(entry.pattern)
        if "<" in route or "(" in route:
            continue  # takes a parameter
        route = route.lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            paths += _parameterless_paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            paths.append("/" + prefix + route)
    return sorted(p for p in paths if not p.startswith(SKIPPED_PREFIXES))


PATHS = _parameterless_paths(get_resolver().url_patterns)


def test_the_route_list_is_found_from_the_url_configuration() -> None:
    assert {"/", "/accounts/login/", "/accounts/mfa/enrol/", "/healthz"} <= set(PATHS)
    assert not [p for p in PATHS if p.startswith("/api/")]


class InlineFinder(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, styles and event handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower() for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.problems.append("<script> without src")
        if tag == "style":
            self.problems.append("<style> element")
        if "style" in names:
            self.problems.append(f"style= on <{tag}>")
        self.problems += [f"{name}= on <{tag}>" for name in names if name.startswith("on")]
        for name, value in attrs:
            if name in {"href", "src", "action"} and (value or "").lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL on <{tag}>")


def _check_headers(path: str, response: Any) -> None:
    csp = response.get("Content-Security-Policy", "")
    assert csp, path
    assert "'unsafe-inline'" not in csp, path
    assert "'unsafe-eval'" not in csp, path
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives.get("script-src") == ["'self'"], path
    assert directives.get("style-src") == ["'self'"], path
    assert directives.get("object-src") == ["'none'"], path
    assert response.get("X-Content-Type-Options") == "nosniff", path
    assert response.get("Referrer-Policy"), path
    assert response.get("X-Frame-Options") == "DENY" or "frame-ancestors" in directives, path
    assert response.get("Cross-Origin-Opener-Policy") == "same-origin", path


def _check_html(path: str, response: Any) -> None:
    if not response.get("Content-Type", "").startswith("text/html") or not response.content:
        return
    finder = InlineFinder()
    finder.feed(response.content.decode())
    assert finder.problems == [], path


def _visit_all(client: Client) -> dict[str, int]:
    statuses = {}
    for path in [*PATHS, "/no-such-page/"]:
        response = client.get(path)
        statuses[path] = response.status_code
        _check_headers(path, response)
        _check_html(path, response)
    return statuses


def test_every_page_as_a_user_holding_every_role(db: None) -> None:
    office = OfficeFactory.create()
    user = UserFactory.create(roles=[(office, role) for role in Role])
    client = Client()
    client.force_login(user)
    statuses = _visit_all(client)
    # The pages really rendered (not all redirects to the sign-in page).
    assert statuses["/"] == 200
    assert statuses["/audit/"] == 200
    assert statuses["/people/"] == 200
    assert statuses["/no-such-page/"] == 404


def test_every_page_as_an_anonymous_visitor(db: None) -> None:
    statuses = _visit_all(Client())
    assert statuses["/accounts/login/"] == 200
    assert statuses["/"] == 302


def test_inline_finder_catches_what_csp_would_block() -> None:
    finder = InlineFinder()
    finder.feed(
        '<script>alert(1)</script><style>p{}</style><p style="x" onclick="y">'
        '<a href="javascript:void(0)">x</a><script src="/s.js"></script>'
    )
    assert len(finder.problems) == 5


def _production_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAYHOME_")}
    env.update(
        WAYHOME_PRODUCTION="1",
        WAYHOME_SECRET_KEY=secrets.token_urlsafe(50),
        WAYHOME_ALLOWED_HOSTS="wayhome.example.org",
        WAYHOME_ENCRYPTION_KEYS=f"k1:{new_key()}",
        WAYHOME_BLIND_INDEX_KEY=new_key(),
        WAYHOME_AUDIT_KEY=new_key(),
        WAYHOME_VAR_DIR=str(tmp_path),
        WAYHOME_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    return env


def test_check_deploy_is_clean_in_production_mode(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (tmp_path / "dev-secrets.json").exists()


def test_production_mode_refuses_to_start_without_its_secrets(tmp_path: Path) -> None:
    env = _production_env(tmp_path)
    del env["WAYHOME_ENCRYPTION_KEYS"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "WAYHOME_ENCRYPTION_KEYS must be set" in result.stderr
