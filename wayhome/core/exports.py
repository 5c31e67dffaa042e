"""Files people open in a spreadsheet program: cells are written so that none is read as a
formula (CSV injection)."""

from __future__ import annotations

from typing import Any

#: A cell starting with one of these would be evaluated by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """``value`` as text, prefixed with an apostrophe when it would start a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
