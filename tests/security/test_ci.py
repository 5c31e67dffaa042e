"""CI audits the locked dependencies for known vulnerabilities before the tests (ASVS 5.0
V15.2.1: components free of known vulnerabilities). Removing the step fails this test."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from typing import Any

from tests.core.test_security import ROOT

AUDIT = ["pip-audit", "-r", "requirements.lock", "--disable-pip", "--no-deps"]


def _recipe(makefile: str, target: str) -> list[str]:
    match = re.search(rf"^{target}:[^\n]*\n((?:\t[^\n]*\n)+)", makefile, re.MULTILINE)
    assert match, f"no {target} target in the Makefile"
    logical = match[1].replace("\\\n\t", " ")  # a recipe line continued with a backslash
    return [line.strip() for line in logical.splitlines()]


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


def _summary(tmp_path: Any, dependencies: list[dict[str, Any]], **env: str) -> Any:
    report = tmp_path / "pip-audit.json"
    report.write_text(json.dumps({"dependencies": dependencies, "fixes": []}))
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "audit-summary"), str(report)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )


def test_the_audit_fails_on_a_known_vulnerability(tmp_path: Any) -> None:
    vulnerable = {
        "name": "django",
        "version": "5.2.1",
        "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.2"]}],
    }
    result = _summary(tmp_path, [vulnerable, {"name": "six", "version": "1.0", "vulns": []}])
    assert result.returncode == 1
    assert "VULNERABLE django 5.2.1: PYSEC-2025-1 (fixed in 5.2.2)" in result.stdout
    assert "2 of 2 locked packages checked" in result.stdout


def test_an_audit_that_checked_nothing_says_so(tmp_path: Any) -> None:
    skipped = [{"name": "six", "skip_reason": "Dependency not found on PyPI"}]
    result = _summary(tmp_path, skipped)
    assert result.returncode == 0
    assert "0 of 1 locked packages checked" in result.stdout
    assert "This audit proves nothing" in result.stderr
    assert _summary(tmp_path, skipped, WAYHOME_AUDIT_STRICT="1").returncode == 3
    clean = _summary(tmp_path, [{"name": "six", "version": "1.0", "vulns": []}])
    assert clean.returncode == 0
    assert "proves nothing" not in clean.stderr
