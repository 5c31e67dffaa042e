from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    """Retention of personal data (build order 9): rules per office and programme, legal holds,
    the nightly anonymisation and its dry-run report."""

    name = "wayhome.retention"
    label = "retention"
    verbose_name = _("Retention")

    def ready(self) -> None:
        from wayhome.audit import actions
        from wayhome.reporting import facts
        from wayhome.retention.selectors import anonymised_among

        actions.register(
            {
                "retention.rule_create": _("Created a retention rule"),
                "retention.rule_update": _("Changed a retention rule"),
                "retention.rule_list": _("Listed retention rules"),
                "retention.hold_place": _("Placed a legal hold"),
                "retention.hold_lift": _("Lifted a legal hold"),
                "retention.hold_list": _("Listed legal holds"),
                "retention.hold_view": _("Viewed a legal hold"),
                "retention.run": _("Ran the retention rules"),
                "retention.run_dry": _("Ran the retention rules (dry run)"),
                "retention.run_list": _("Listed retention runs"),
                "retention.run_view": _("Viewed a retention report"),
                "retention.anonymise": _("Anonymised a case (retention)"),
            }
        )
        facts.FROZEN.append(anonymised_among)
