from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The public portal (no sign-in): what assisted voluntary return and reintegration is, pages
    per country of origin maintained by staff, and "I would like to be contacted" inquiries that
    reach the chosen office's work queue (build order 6)."""

    name = "wayhome.portal"
    label = "portal"
    verbose_name = _("Public portal")
