"""Partner users' pages (placeholder: being built)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wayhome.reintegration.selectors import partner_referrals


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "partner/referral_list.html", {"referrals": partner_referrals(request.user)}
    )
