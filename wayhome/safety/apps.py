from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    """The return-restriction register and its enforcement (build order 3)."""

    name = "wayhome.safety"
    label = "safety"
    verbose_name = _("Safety")
