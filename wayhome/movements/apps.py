from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MovementsConfig(AppConfig):
    """Safe and dignified travel: documents, bookings, departure, arrival, hand-over (build
    order 4)."""

    name = "wayhome.movements"
    label = "movements"
    verbose_name = _("Travel")

    def ready(self) -> None:
        from wayhome.accounts.permissions import Perm
        from wayhome.audit import actions
        from wayhome.cases.panels import panels
        from wayhome.movements import guards, receivers  # noqa: F401  (register)
        from wayhome.movements.views import case_panel_context

        panels.register(
            "travel",
            template="movements/case_panel.html",
            context=case_panel_context,
            perm=Perm.CASE_VIEW,
            order=50,
        )
        actions.register(
            {
                "movements.document_record": _("Recorded a travel document"),
                "movements.document_change": _("Changed a travel document"),
                "movements.booking_create": _("Booked a journey"),
                "movements.booking_change": _("Changed a booking"),
                "movements.booking_confirm": _("Confirmed a booking"),
                "movements.booking_cancel": _("Cancelled a booking"),
                "movements.segment_add": _("Added a flight to a booking"),
                "movements.segment_remove": _("Removed a flight from a booking"),
                "movements.escort_add": _("Assigned an escort"),
                "movements.escort_remove": _("Removed an escort"),
                "movements.reconfirmation_record": _("Recorded a re-confirmation of voluntariness"),
                "movements.reception_record": _("Recorded a reception arrangement"),
                "movements.handover_send": _("Sent a hand-over package"),
                "movements.handover_view": _("Read a hand-over package"),
                "movements.handover_export": _("Downloaded a hand-over package"),
                "movements.handover_acknowledge": _("Took over a case handed over"),
                "movements.manifest_export": _("Downloaded a manifest"),
            }
        )
