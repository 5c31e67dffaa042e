from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    """Streaming exports (CSV, XLSX) written in the background with their progress, kept
    encrypted for a day, downloaded by their owner only, every download audited (build
    order 8)."""

    name = "wayhome.exports"
    label = "exports"
    verbose_name = _("Exports")

    def ready(self) -> None:
        from wayhome.audit import actions

        actions.register(
            {
                "export.create": _("Asked for an export"),
                "export.download": _("Downloaded an export"),
            }
        )
