"""Pages of the microdata releases (``/reporting/microdata/``): the releases the user may see,
the request form (released, or refused with the reasons and the coarser options), a release's
page, and the download of its file.

Who may ask, see and download is ``microdata.py``'s rule: a user who may ask for no office's data
gets 403 on the list and the form; a release the user may not see answers 404 whatever the
method, as does the download for anyone but its requester; an expired file answers 410. Every
download is audited; the file is an attachment, never cached.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from wayhome.core.forms import add_service_errors
from wayhome.core.http import no_store
from wayhome.reporting import microdata
from wayhome.reporting.microdata_forms import MicrodataReleaseForm
from wayhome.reporting.models import MicrodataRelease


@login_required
@require_GET
def microdata_list(request: HttpRequest) -> HttpResponse:
    """The releases the user may see, newest first."""
    if not microdata.may_request(request.user):
        raise PermissionDenied
    releases = list(microdata.microdata_release_list(actor=request.user)[:500])
    context = {
        "releases": [
            (release, microdata.is_expired(release), list(release.offices.all()))
            for release in releases
        ],
        "can_request": True,
    }
    return no_store(render(request, "reporting/microdata_list.html", context))


@login_required
@require_http_methods(["GET", "POST"])
def microdata_create(request: HttpRequest) -> HttpResponse:
    """GET: the request form; POST: release the file, or show why it is refused."""
    offices = microdata.request_office_list(request.user)
    if not offices:
        raise PermissionDenied
    form = MicrodataReleaseForm(request.POST if request.method == "POST" else None, offices=offices)
    outcome = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                outcome = microdata.microdata_release_create(actor=request.user, **form.values())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if outcome.released:
                    messages.success(request, _("The file is released."))
                    return redirect(
                        "reporting:microdata-detail", microdata_release_id=outcome.release.pk
                    )
                status = 422
    context = {
        "form": form,
        "outcome": outcome,
        "qi_names": list(microdata.QUASI_IDENTIFIERS),
    }
    return no_store(render(request, "reporting/microdata_create.html", context, status=status))


@login_required
@require_GET
def microdata_detail(request: HttpRequest, microdata_release_id: uuid.UUID) -> HttpResponse:
    release = microdata.microdata_release_get(
        actor=request.user, microdata_release_id=microdata_release_id
    )
    refused = release.status == MicrodataRelease.Status.REFUSED
    levels = [
        (qi.label, level.label)
        for name, qi in microdata.QUASI_IDENTIFIERS.items()
        if (level := qi.level(release.generalisation.get(name, ""))) is not None
    ]
    context = {
        "release": release,
        "offices": list(release.offices.all()),
        "levels": levels,
        "refused": refused,
        "expired": microdata.is_expired(release),
        "is_requester": release.requested_by_id == request.user.pk,
        "can_download": microdata.may_download(request.user, release),
        "reasons": microdata.refusal_reasons(release),
        "suggestions": microdata.next_coarser(release.generalisation) if refused else [],
    }
    return no_store(render(request, "reporting/microdata_detail.html", context))


@login_required
@require_GET
def microdata_download(request: HttpRequest, microdata_release_id: uuid.UUID) -> HttpResponse:
    """The file, to its requester only, while it is valid (audited each time)."""
    try:
        release = microdata.microdata_release_download(
            actor=request.user, microdata_release_id=microdata_release_id
        )
    except microdata.ReleaseExpired as exc:
        context = {"release": exc.release}
        return no_store(render(request, "reporting/microdata_expired.html", context, status=410))
    response = HttpResponse(bytes(release.content or b""), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{microdata.file_name(release)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return no_store(response)


urlpatterns = [
    path("microdata/", microdata_list, name="microdata-list"),
    path("microdata/new/", microdata_create, name="microdata-create"),
    path("microdata/<uuid:microdata_release_id>/", microdata_detail, name="microdata-detail"),
    path(
        "microdata/<uuid:microdata_release_id>/download/",
        microdata_download,
        name="microdata-download",
    ),
]
