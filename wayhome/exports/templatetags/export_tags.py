"""``{% load export_tags %}``: ``user|may_export:"cases"`` tells whether to show an "Export"
form for a kind (the user holds ``Perm.EXPORT`` and the kind's view permission in an office)."""

from __future__ import annotations

from typing import Any

from django import template

from wayhome.exports.selectors import may_export_kind

register = template.Library()


@register.filter
def may_export(user: Any, kind: str) -> bool:
    return may_export_kind(user, kind)
