"""Staff pages of the reintegration side (``/reintegration/``); views in ``views.py``.

A case's pages are ``cases/<uuid:case_id>/...`` (404 for anyone who does not work the case);
actions are POSTed, so that no personal data reaches a URL."""

from __future__ import annotations

from django.urls import URLPattern, path

from wayhome.reintegration import views

app_name = "reintegration"

CASE = "cases/<uuid:case_id>/"
PLAN = CASE + "plans/<uuid:plan_id>/"
LINE = CASE + "lines/<uuid:budget_line_id>/"
REFERRAL = CASE + "referrals/<uuid:referral_id>/"
PARTNER = "partners/<uuid:partner_id>/"

urlpatterns: list[URLPattern] = [
    path("", views.queue, name="queue"),
    # a case
    path(CASE, views.case, name="case"),
    path(CASE + "counselling/", views.counselling_create, name="counselling-create"),
    path(CASE + "plans/new/", views.plan_create, name="plan-create"),
    path(CASE + "move/", views.case_move, name="case-move"),
    path(CASE + "close/", views.case_close, name="case-close"),
    path(CASE + "reopen/", views.case_reopen, name="case-reopen"),
    # its plans
    path(PLAN, views.plan, name="plan"),
    path(PLAN + "lines/", views.line_create, name="line-create"),
    path(PLAN + "submit/", views.plan_submit, name="plan-submit"),
    path(PLAN + "return/", views.plan_return, name="plan-return"),
    path(PLAN + "approve/", views.plan_approve, name="plan-approve"),
    # budget lines and deliveries
    path(LINE, views.budget_line, name="budget-line"),
    path(LINE + "remove/", views.line_remove, name="line-remove"),
    path(LINE + "deliveries/", views.delivery_create, name="delivery-create"),
    path(
        CASE + "deliveries/<uuid:delivery_id>/proof",
        views.delivery_proof,
        name="delivery-proof",
    ),
    # referrals
    path(CASE + "referrals/new/", views.referral_create, name="referral-create"),
    path(CASE + "referrals/consent/", views.partner_consent, name="partner-consent"),
    path(
        CASE + "referrals/consent/revoke/",
        views.partner_consent_revoke,
        name="partner-consent-revoke",
    ),
    path(REFERRAL, views.referral, name="referral"),
    path(REFERRAL + "note/", views.referral_note, name="referral-note"),
    path(REFERRAL + "revoke/", views.referral_revoke, name="referral-revoke"),
    # partners
    path("partners/", views.partner_list, name="partner-list"),
    path("partners/new/", views.partner_create, name="partner-create"),
    path(PARTNER, views.partner, name="partner"),
    path(PARTNER + "users/", views.partner_user_add, name="partner-user-add"),
    path(PARTNER + "users/remove/", views.partner_user_remove, name="partner-user-remove"),
    # caps and reconciliation
    path("caps/", views.caps, name="caps"),
    path("reconciliation/", views.reconciliation, name="reconciliation"),
    path("reconciliation.csv", views.reconciliation_csv, name="reconciliation-csv"),
]
