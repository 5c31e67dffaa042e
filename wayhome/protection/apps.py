from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtectionConfig(AppConfig):
    """Data protection in operation (build order 9): bulk-access alerts, the transfer register
    and people's requests about their data (subject access, rectification)."""

    name = "wayhome.protection"
    label = "protection"
    verbose_name = _("Data protection")

    def ready(self) -> None:
        from wayhome.audit import actions
        from wayhome.exports import kinds
        from wayhome.protection import alerts
        from wayhome.protection.exports import TransfersExport

        actions.register(
            {
                "protection.alert_list": _("Listed access alerts"),
                "protection.alert_view": _("Viewed an access alert"),
                "protection.alert_close": _("Closed an access alert"),
                "protection.transfer_list": _("Read the transfer register"),
                "protection.request_create": _("Recorded a request about personal data"),
                "protection.request_list": _("Listed requests about personal data"),
                "protection.request_view": _("Viewed a request about personal data"),
                "protection.request_close": _("Closed a request about personal data"),
                "protection.subject_access": _("Produced a person's data (subject access)"),
            }
        )
        alerts.register()
        kinds.register([TransfersExport()])
