from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReintegrationConfig(AppConfig):
    """Sustainable reintegration: counselling, plans and budgets, assistance delivered, partners
    and referrals, closure (build order 5)."""

    name = "wayhome.reintegration"
    label = "reintegration"
    verbose_name = _("Reintegration")

    def ready(self) -> None:
        from wayhome.accounts.permissions import Perm
        from wayhome.audit import actions
        from wayhome.cases.panels import panels
        from wayhome.reintegration import guards, receivers  # noqa: F401  (register)
        from wayhome.reintegration.views import case_panel_context

        panels.register(
            "reintegration",
            template="reintegration/case_panel.html",
            context=case_panel_context,
            perm=Perm.CASE_VIEW,
            order=60,
        )
        actions.register(
            {
                "reintegration.counselling_record": _("Recorded a reintegration counselling"),
                "reintegration.cap_set": _("Set a programme's cap"),
                "reintegration.plan_create": _("Started a reintegration plan"),
                "reintegration.plan_change": _("Changed a reintegration plan"),
                "reintegration.line_add": _("Added an item to a reintegration plan"),
                "reintegration.line_change": _("Changed an item of a reintegration plan"),
                "reintegration.line_remove": _("Took an item out of a reintegration plan"),
                "reintegration.plan_submit": _("Submitted a reintegration plan for approval"),
                "reintegration.plan_return": _("Returned a reintegration plan to draft"),
                "reintegration.plan_approve": _("Approved a reintegration plan"),
                "reintegration.delivery_record": _("Recorded assistance delivered"),
                "reintegration.proof_download": _("Downloaded a proof of delivery"),
                "reintegration.partner_create": _("Registered a partner"),
                "reintegration.partner_change": _("Changed a partner"),
                "reintegration.partner_user_add": _("Let a user sign in for a partner"),
                "reintegration.partner_user_remove": _("Stopped a user signing in for a partner"),
                "reintegration.referral_send": _("Referred a case to a partner"),
                "reintegration.referral_view": _("Read a referral"),
                "reintegration.referral_note": _("Added a note to a referral"),
                "reintegration.referral_revoke": _("Revoked a referral"),
                "reintegration.referral_accept": _("Accepted a referral (partner)"),
                "reintegration.referral_decline": _("Declined a referral (partner)"),
                "reintegration.referral_progress": _("Reported progress on a referral (partner)"),
                "reintegration.referral_complete": _("Completed a referral (partner)"),
                "reintegration.reconciliation_export": _("Downloaded the reconciliation"),
            }
        )
