"""docs/workflow.md shows the moves of the workflow as they are in the code."""

from __future__ import annotations

import re
from pathlib import Path

from wayhome.cases.workflow import _FORWARD, Status

DOC = Path(__file__).resolve().parents[2] / "docs" / "workflow.md"


def test_the_diagram_has_exactly_the_forward_moves() -> None:
    text = DOC.read_text(encoding="utf-8")
    drawn = set(re.findall(r"^\s+(\w+) --> (\w+)$", text, re.M))
    in_code = {
        (source.value, target.value) for source, targets in _FORWARD.items() for target in targets
    }
    assert drawn == in_code


def test_every_status_is_explained() -> None:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("| Status | Meaning |", 1)[1].split("\n\n", 1)[0]
    explained = set(re.findall(r"^\| `(\w+)` \|", table, re.M))
    assert explained == {status.value for status in Status}
