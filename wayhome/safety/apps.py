from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    """The return-restriction register and its enforcement (build order 3)."""

    name = "wayhome.safety"
    label = "safety"
    verbose_name = _("Safety")

    def ready(self) -> None:
        from wayhome.accounts.permissions import Perm
        from wayhome.audit import actions
        from wayhome.cases.panels import panels
        from wayhome.safety import guards  # noqa: F401  (registers the restriction guard)
        from wayhome.safety.views import case_panel_context

        panels.register(
            "safety",
            template="safety/case_panel.html",
            context=case_panel_context,
            perm=Perm.CASE_VIEW,
            order=40,
        )
        actions.register(
            {
                "safety.restriction_record": _("Recorded a version of a return restriction"),
                "safety.decision_record": _("Allowed a return under a case-by-case restriction"),
            }
        )
