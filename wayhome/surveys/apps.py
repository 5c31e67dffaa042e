from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    """Survey instruments as versioned data (the Reintegration Sustainability Survey and the
    satisfaction survey), schedules, follow-ups, interviews and their scores (build order 6)."""

    name = "wayhome.surveys"
    label = "surveys"
    verbose_name = _("Surveys")
