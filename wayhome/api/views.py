from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    return render(request, "api/token_list.html", {"tokens": []})
