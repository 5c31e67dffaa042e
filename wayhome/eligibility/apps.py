from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EligibilityConfig(AppConfig):
    name = "wayhome.eligibility"
    label = "eligibility"
    verbose_name = _("Eligibility")

    def ready(self) -> None:
        from wayhome.accounts.permissions import Perm
        from wayhome.audit import actions
        from wayhome.cases.panels import panels

        panels.register(
            "eligibility", template="eligibility/case_panel.html", perm=Perm.CASE_VIEW, order=30
        )
        from wayhome.eligibility import guards  # noqa: F401  (registers the approval guard)

        actions.register(
            {
                "eligibility.rules_change": _("Saved a new version of eligibility rules"),
                "eligibility.decide": _("Decided a case's eligibility"),
                "eligibility.override": _("Overrode a negative eligibility decision"),
            }
        )
