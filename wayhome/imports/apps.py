from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Bulk import of registrations from XLSX and CSV files (KoBoToolbox exports and the like):
    a saved column mapping per source, dry runs with a per-row report, idempotent re-import keyed
    by an external id, duplicate detection, and a background run with progress (build order 8)."""

    name = "wayhome.imports"
    label = "imports"
    verbose_name = _("Imports")

    def ready(self) -> None:
        from wayhome.audit import actions

        actions.register(
            {
                "import.source_create": _("Created an import source"),
                "import.source_change": _("Changed an import source's column mapping"),
                "import.upload": _("Uploaded a file to import"),
                "import.run": _("Ran an import"),
                "import.report_download": _("Downloaded an import report"),
            }
        )
