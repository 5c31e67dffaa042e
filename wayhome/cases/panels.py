"""Panels that other apps add to the case page, without editing ``cases/``.

An app registers a panel from its ``AppConfig.ready``::

    from wayhome.cases.panels import panels
    panels.register(
        "consent",                       # a unique name
        template="consent/case_panel.html",
        context=consent_panel_context,   # (request, case) -> dict for the template
        perm=Perm.CASE_VIEW,             # shown only to holders of this in the case's office
        order=20,                        # lower first
    )

The case page renders each panel the user may see, in order, inside ``{% block case_panels %}``
with the panel's context plus ``case`` (and ``panel``), rendered with the request. A context
function reads through its own app's selectors; it must not write anything but audit events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm

PanelContext = Callable[[HttpRequest, Any], dict[str, Any]]


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    context: PanelContext | None
    perm: Perm
    order: int


@dataclass(frozen=True)
class RenderedPanel:
    name: str
    html: SafeString


@dataclass
class PanelRegistry:
    _panels: dict[str, Panel] = field(default_factory=dict)

    def register(
        self,
        name: str,
        *,
        template: str,
        context: PanelContext | None = None,
        perm: Perm = Perm.CASE_VIEW,
        order: int = 100,
    ) -> None:
        if name in self._panels:
            raise ValueError(f"a case panel named {name!r} is already registered")
        self._panels[name] = Panel(name, template, context, perm, order)

    def unregister(self, name: str) -> None:
        self._panels.pop(name, None)

    def for_case(self, request: HttpRequest, case: Any) -> list[RenderedPanel]:
        """The panels ``request.user`` may see on ``case``, each with its context."""
        result = []
        for panel in sorted(self._panels.values(), key=lambda p: (p.order, p.name)):
            if not has_perm(request.user, panel.perm, case.office_id):
                continue
            extra = panel.context(request, case) if panel.context else {}
            context = {**extra, "case": case, "panel": panel}
            html = render_to_string(panel.template, context, request=request)
            result.append(RenderedPanel(panel.name, SafeString(html)))
        return result


panels = PanelRegistry()
