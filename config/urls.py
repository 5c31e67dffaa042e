from django.conf import settings
from django.urls import include, path

from wayhome.core import metrics
from wayhome.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", metrics.metrics_view, name="metrics"),
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
    path("imports/", include("wayhome.imports.urls")),
    path("exports/", include("wayhome.exports.urls")),
    path("protection/", include("wayhome.protection.urls")),
    path("retention/", include("wayhome.retention.urls")),
    path("api/", include("wayhome.api.urls")),
    path("", include("wayhome.core.urls")),
]
if settings.WAYHOME_BENCH:  # the bench harness's baseline: Django with no app code (bench/)
    urlpatterns.insert(0, path("bench/bare", core_views.bench_bare, name="bench-bare"))
