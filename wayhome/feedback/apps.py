from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    """Feedback, complaints and reports of misconduct from the public portal, with a reference
    code and secret to follow them; triage, answers, statistics, and the independent queue for
    reports of staff misconduct (build order 6)."""

    name = "wayhome.feedback"
    label = "feedback"
    verbose_name = _("Feedback and complaints")

    def ready(self) -> None:
        from wayhome.audit import actions

        actions.register(
            {
                "feedback.submit": _("Received feedback, a complaint or a report"),
                "feedback.view": _("Read a feedback report"),
                "feedback.triage": _("Triaged a feedback report"),
                "feedback.note": _("Added an internal note to a feedback report"),
                "feedback.respond": _("Answered a feedback report"),
                "feedback.close": _("Closed a feedback report"),
                "feedback.route": _("Moved a report between the office and the independent queue"),
            }
        )
