from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm_anywhere


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.AUDIT_VIEW):
        raise Http404
    return render(request, "audit/event_list.html", {"events": []})
