from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "wayhome.cases"
    label = "cases"

    def ready(self) -> None:
        from wayhome.audit import actions
        from wayhome.cases import guards  # noqa: F401  (registers the case's own guards)

        actions.register(
            {
                "case.create": _("Opened a case"),
                "case.change": _("Changed a case"),
                "case.member_add": _("Added a member to a case"),
                "case.transition": _("Moved a case to another status"),
                "case.view": _("Viewed a case"),
                "case.list": _("Listed cases"),
                "case.search": _("Searched for cases"),
            }
        )
