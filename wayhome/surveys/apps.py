from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    """Survey instruments as versioned data (the Reintegration Sustainability Survey and the
    satisfaction survey), schedules, follow-ups, interviews and their scores (build order 6)."""

    name = "wayhome.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from wayhome.audit import actions

        actions.register(
            {
                "surveys.version_create": _("Drafted a version of a survey instrument"),
                "surveys.version_publish": _("Published a version of a survey instrument"),
                "surveys.schedule_create": _("Added a follow-up to a survey schedule"),
                "surveys.schedule_change": _("Changed a follow-up of a survey schedule"),
                "surveys.schedule_deactivate": _("Stopped a follow-up of a survey schedule"),
                "surveys.interview_record": _("Recorded a survey interview"),
                "surveys.interview_view": _("Read a survey interview"),
                "surveys.recompute": _("Recomputed the scores of a survey interview"),
            }
        )
