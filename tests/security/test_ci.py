"""CI audits the locked dependencies for known vulnerabilities before the tests (ASVS 5.0
V15.2.1: components free of known vulnerabilities). Removing the step fails this test."""

from __future__ import annotations

import re
import shlex

from tests.core.test_security import ROOT

AUDIT = ["pip-audit", "-r", "requirements.lock", "--disable-pip", "--no-deps"]


def _recipe(makefile: str, target: str) -> list[str]:
    match = re.search(rf"^{target}:[^\n]*\n((?:\t[^\n]*\n)+)", makefile, re.MULTILINE)
    assert match, f"no {target} target in the Makefile"
    return [line.strip() for line in match[1].splitlines()]


def test_ci_runs_pip_audit_on_the_lock_file_before_the_tests() -> None:
    ci = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert "make audit" in ci
    assert "make test" in ci
    assert ci.index("make audit") < ci.index("make test")
    assert "set -euo pipefail" in ci  # a failing audit stops CI
    recipe = _recipe((ROOT / "Makefile").read_text(), "audit")
    commands = [shlex.split(line) for line in recipe]
    audits = [words for words in commands if words and words[0].endswith("/pip-audit")]
    assert len(audits) == 1, recipe
    words = audits[0]
    assert [words[0].rsplit("/", 1)[-1], *words[1 : len(AUDIT)]] == AUDIT
    # Nothing that would hide a finding.
    assert not {"--ignore-vuln", "-s", "--skip-editable"} & set(words)
