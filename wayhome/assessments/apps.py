from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    """Vulnerability screening, the safeguards its flags trigger, sensitive details (build
    order 3)."""

    name = "wayhome.assessments"
    label = "assessments"
    verbose_name = _("Assessments")
