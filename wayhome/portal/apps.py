from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The public portal (no sign-in): what assisted voluntary return and reintegration is, pages
    per country of origin maintained by staff, and "I would like to be contacted" inquiries that
    reach the chosen office's work queue (build order 6)."""

    name = "wayhome.portal"
    label = "portal"
    verbose_name = _("Public portal")

    def ready(self) -> None:
        from wayhome.audit import actions

        actions.register(
            {
                "portal.inquiry_receive": _("Received an inquiry from the portal"),
                "portal.inquiry_view": _("Read an inquiry"),
                "portal.inquiry_update": _("Recorded the handling of an inquiry"),
                "portal.page_create": _("Wrote a country page"),
                "portal.page_change": _("Changed a country page"),
                "portal.page_publish": _("Published a country page"),
                "portal.page_unpublish": _("Took a country page off the portal"),
                "portal.page_review": _("Marked a country page reviewed"),
            }
        )
