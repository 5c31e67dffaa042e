"""Partner users' pages (``/partner/``): the referrals sent to their organisation; views in
``partner_views.py``."""

from __future__ import annotations

from django.urls import path

from wayhome.reintegration import partner_views

app_name = "partner"

urlpatterns = [
    path("", partner_views.referral_list, name="referral-list"),
    path("referrals.csv", partner_views.referral_export, name="referral-export"),
    path("referrals/<uuid:referral_id>/", partner_views.referral_detail, name="referral"),
]
