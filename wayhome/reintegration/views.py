"""Staff pages of the reintegration side (placeholder: being built)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wayhome.reintegration.selectors import partners_visible, reintegration_queue


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    return render(request, "reintegration/queue.html", {"queue": reintegration_queue(request.user)})


@login_required
def partner_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "reintegration/partner_list.html", {"partners": partners_visible(request.user)}
    )
