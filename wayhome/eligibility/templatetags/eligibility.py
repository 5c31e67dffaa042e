"""``{% eligibility_state case as state %}``: what the case panel shows (see case_panel.html)."""

from __future__ import annotations

from typing import Any

from django import template

from wayhome.eligibility.display import rule_label
from wayhome.eligibility.selectors import decision_problems, latest_decision

register = template.Library()


@register.simple_tag
def eligibility_state(case: Any) -> dict[str, Any]:
    decision = latest_decision(case)
    problems = decision_problems(case, decision)
    failed = [] if decision is None else [r for r in decision.results if not r.get("passed")]
    return {"decision": decision, "problems": problems, "ready": not problems, "failed": failed}


@register.filter
def eligibility_rule_label(kind: str) -> str:
    return rule_label(kind)
