"""Every string is translated into French, Spanish and Arabic, and the catalogues are current."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import polib  # type: ignore[import-untyped]
import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Personas, client_for
from tests.i18n import LANGUAGES, ROOT, po_path

# %(name)s, %s, %d, {name} and {0}: what Python or Django fill in.
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%[sdifr]|\{\w*\}")


_UPDATE = (
    "cd wayhome && ../.venv/bin/python ../manage.py makemessages -l fr -l es -l ar "
    "--no-obsolete, then translate the new entries"
)


def _placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


def _entries(language: str) -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(po_path(language))) if not entry.obsolete]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_not_fuzzy(language: str) -> None:
    po = polib.pofile(str(po_path(language)))
    assert not po.metadata_is_fuzzy
    assert po.metadata.get("Language") == language
    problems = [e.msgid for e in po if e.fuzzy or not e.translated() or e.obsolete]
    assert problems == []
    assert len(po) > 50


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_kept(language: str) -> None:
    problems = []
    for entry in _entries(language):
        if entry.msgid_plural:
            for index, text in entry.msgstr_plural.items():
                source = entry.msgid if index == 0 else entry.msgid_plural
                if set(_placeholders(text)) - set(_placeholders(entry.msgid_plural)):
                    problems.append((source, text))
        elif _placeholders(entry.msgid) != _placeholders(entry.msgstr):
            problems.append((entry.msgid, entry.msgstr))
    assert problems == []


def test_placeholder_check_catches_a_lost_placeholder() -> None:
    assert _placeholders("Welcome, %(name)s") != _placeholders("Bienvenue")
    assert _placeholders("%(a)s and {b}") == _placeholders("{b} et %(a)s")


def test_catalogues_hold_exactly_the_strings_of_the_code(tmp_path: Path) -> None:
    """makemessages on a copy of the package finds the same strings as the committed .po files:
    a new string that was not translated (or a removed one still listed) fails here."""
    copy = tmp_path / "wayhome"
    shutil.copytree(
        ROOT / "wayhome",
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static"),
    )
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "makemessages", "-l", "fr", "--no-obsolete"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale/fr/LC_MESSAGES/django.po"))}
    assert len(fresh) > 50
    for language in LANGUAGES:
        committed = {e.msgid for e in _entries(language)}
        assert sorted(fresh - committed) == [], f"not in {language}: {_UPDATE}"
        assert sorted(committed - fresh) == [], f"no longer used, in {language}"


def _switch(client: Client, language: str) -> Any:
    return client.post(reverse("set_language"), {"language": language, "next": "/"})


def test_switching_to_arabic_renders_right_to_left(personas: Personas) -> None:
    client = client_for(personas.caseworker_a)
    response = _switch(client, "ar")
    assert response.status_code == 302
    html = client.get(reverse("core:home")).content.decode()
    assert 'lang="ar"' in html
    assert 'dir="rtl"' in html
    assert "قائمة المهام" in html  # "Work queue" in the navigation
    assert "Work queue" not in html


@pytest.mark.parametrize(
    ("language", "work_queue"), [("fr", "File de travail"), ("es", "Tareas pendientes")]
)
def test_switching_to_french_or_spanish(personas: Personas, language: str, work_queue: str) -> None:
    client = client_for(personas.caseworker_a)
    _switch(client, language)
    html = client.get(reverse("core:home")).content.decode()
    assert f'lang="{language}"' in html
    assert 'dir="ltr"' in html
    assert work_queue in html


def test_sign_in_page_follows_the_language_switcher(db: None) -> None:
    client = Client()
    _switch(client, "ar")
    html = client.get(reverse("accounts:login")).content.decode()
    assert 'dir="rtl"' in html
    assert "تسجيل الدخول" in html
