from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReintegrationConfig(AppConfig):
    """Sustainable reintegration: counselling, plans and budgets, assistance delivered, partners
    and referrals, closure (build order 5)."""

    name = "wayhome.reintegration"
    label = "reintegration"
    verbose_name = _("Reintegration")

    def ready(self) -> None:
        from wayhome.reintegration import guards, receivers  # noqa: F401  (register)
