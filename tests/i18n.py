"""Translation catalogues for the tests: where they are, and compiling them (as ``make messages``).

Compiled with polib, so the tests need no gettext tools; each .mo is written under a temporary
name and moved into place, so parallel workers never read half a file.
"""

from __future__ import annotations

import os
from pathlib import Path

import polib  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[1]
LOCALE_DIR = ROOT / "wayhome" / "locale"
LANGUAGES = ("fr", "es", "ar")


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def compile_messages() -> None:
    for language in LANGUAGES:
        po = po_path(language)
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        temporary = mo.with_name(f".{mo.name}.{os.getpid()}")
        polib.pofile(str(po)).save_as_mofile(str(temporary))
        os.replace(temporary, mo)
