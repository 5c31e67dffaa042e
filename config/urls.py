from django.urls import include, path

from wayhome.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("wayhome.accounts.urls")),
    path("audit/", include("wayhome.audit.urls")),
    path("people/", include("wayhome.people.urls")),
    path("cases/", include("wayhome.cases.urls")),
    path("consent/", include("wayhome.consent.urls")),
    path("eligibility/", include("wayhome.eligibility.urls")),
    path("assessments/", include("wayhome.assessments.urls")),
    path("safety/", include("wayhome.safety.urls")),
    path("travel/", include("wayhome.movements.urls")),
    path("reintegration/", include("wayhome.reintegration.urls")),
    path("partner/", include("wayhome.reintegration.partner_urls")),
    # The public portal (no sign-in) and its staff side.
    path("portal/", include("wayhome.portal.public_urls")),
    path("portal/feedback/", include("wayhome.feedback.public_urls")),
    path("outreach/", include("wayhome.portal.urls")),
    path("feedback/", include("wayhome.feedback.urls")),
    path("surveys/", include("wayhome.surveys.urls")),
    path("reporting/", include("wayhome.reporting.urls")),
    path("api/", include("wayhome.api.urls")),
    path("", include("wayhome.core.urls")),
]
