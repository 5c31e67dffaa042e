from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    """Vulnerability screening, the safeguards its flags trigger, sensitive details (build
    order 3)."""

    name = "wayhome.assessments"
    label = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from wayhome.accounts.permissions import Perm
        from wayhome.assessments import guards  # noqa: F401  (registers the safeguards)
        from wayhome.assessments.selectors import safety_summary
        from wayhome.audit import actions
        from wayhome.cases.panels import panels

        panels.register(
            "vulnerability",
            template="assessments/case_panel.html",
            context=lambda request, case: {"safety": safety_summary(case, request.user)},
            perm=Perm.CASE_VIEW,
            order=30,
        )
        actions.register(
            {
                "assessments.screening_record": _("Recorded a vulnerability screening"),
                "assessments.assessment_record": _("Recorded a specialised assessment"),
                "assessments.step_consent_record": _(
                    "Recorded a trafficking victim's informed consent"
                ),
                "assessments.details_view": _("Read the details of a sensitive assessment"),
                "assessments.break_glass": _("Opened sensitive details (break the glass)"),
                "assessments.break_glass_list": _("Viewed the break-the-glass accesses"),
            }
        )
