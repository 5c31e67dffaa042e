from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    return render(request, "people/person_list.html", {"people": []})
