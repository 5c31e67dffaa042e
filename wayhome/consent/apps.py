from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "wayhome.consent"
    label = "consent"
    verbose_name = _("Voluntariness and consent")

    def ready(self) -> None:
        from wayhome.accounts.permissions import Perm
        from wayhome.audit import actions
        from wayhome.cases.panels import panels
        from wayhome.consent.selectors import consent_summary

        panels.register(
            "consent",
            template="consent/case_panel.html",
            context=lambda request, case: {"consent": consent_summary(case, request.user)},
            perm=Perm.CASE_VIEW,
            order=20,
        )
        from wayhome.consent import guards, receivers  # noqa: F401  (guard; withdrawal record)

        actions.register(
            {
                "consent.session_record": _("Recorded an information session"),
                "consent.declaration_record": _("Recorded a voluntariness declaration"),
                "consent.form_attach": _("Attached a signed form"),
                "consent.form_download": _("Downloaded a signed form"),
                "consent.detention_review": _("Reviewed the declaration of a person in detention"),
                "consent.capacity_record": _("Recorded a capacity assessment"),
                "consent.representative_add": _("Added a legal representative"),
                "consent.decision_record": _("Recorded a representative's decision"),
                "consent.withdraw": _("Recorded a withdrawal"),
                "consent.sharing_view": _("Viewed a person's data-sharing consents"),
                "consent.sharing_give": _("Recorded a data-sharing consent"),
                "consent.sharing_revoke": _("Revoked a data-sharing consent"),
            }
        )
