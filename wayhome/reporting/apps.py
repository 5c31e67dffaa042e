from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _case_of(instance: Any) -> list[Any]:
    return [instance.pk]


def _case_id(instance: Any) -> list[Any]:
    return [instance.case_id]


def _case_of_member(instance: Any) -> list[Any]:
    from wayhome.cases.models import CaseMember

    return list(CaseMember.objects.filter(pk=instance.member_id).values_list("case_id", flat=True))


def _cases_of_person(instance: Any) -> list[Any]:
    from wayhome.cases.models import CaseMember

    return list(CaseMember.objects.filter(person=instance.pk).values_list("case_id", flat=True))


class ReportingConfig(AppConfig):
    """Statistics with disclosure control, dashboards, exports with HXL hashtags, the monthly
    report and pseudonymised microdata (build order 7)."""

    name = "wayhome.reporting"
    label = "reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        from wayhome.assessments.models import Screening
        from wayhome.audit import actions
        from wayhome.cases.models import Case, CaseMember, CaseTransition
        from wayhome.movements.models import Arrival, Booking
        from wayhome.people.models import Person
        from wayhome.reporting import facts

        watched = {
            Case: _case_of,
            CaseMember: _case_id,
            CaseTransition: _case_id,
            Booking: _case_id,
            Arrival: _case_id,
            Screening: _case_of_member,
            Person: _cases_of_person,
        }
        for model, cases_of in watched.items():

            def changed(
                sender: Any, instance: Any, raw: bool = False, _of: Any = cases_of, **_: Any
            ) -> None:
                if not raw:
                    facts.mark_stale(_of(instance))

            post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"facts-{model}")
            post_delete.connect(
                changed, sender=model, weak=False, dispatch_uid=f"facts-del-{model}"
            )

        actions.register(
            {
                "reporting.export": _("Exported a statistics table"),
                "reporting.microdata_release": _("Released a microdata file"),
                "reporting.microdata_refuse": _("Was refused a microdata release"),
                "reporting.microdata_download": _("Downloaded a microdata file"),
                "reporting.monthly_report": _("Produced a monthly report"),
                "reporting.monthly_report_download": _("Downloaded a monthly report"),
            }
        )
