from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    """Feedback, complaints and reports of misconduct from the public portal, with a reference
    code and secret to follow them; triage, answers, statistics, and the independent queue for
    reports of staff misconduct (build order 6)."""

    name = "wayhome.feedback"
    label = "feedback"
    verbose_name = _("Feedback and complaints")
