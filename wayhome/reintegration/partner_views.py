"""Partner users' pages (``/partner/``): the referrals sent to their organisation, each with only
what the office shared (``services.shared_package``) and its updates, the forms to answer and
report on it, and a CSV of them.

A partner user is a member of a ``Partner`` and holds no permission in any office. What they may
see is ``selectors.partner_referrals`` (never a revoked referral); any other referral answers 404,
whatever the method. Every view of a referral, and every export, is audited in the trail of the
office that sent it.
"""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from wayhome.audit.services import audit_record, audit_record_many
from wayhome.core.countries import country_name, subdivision_name
from wayhome.core.exports import safe_cell
from wayhome.core.forms import add_service_errors
from wayhome.core.http import no_store
from wayhome.core.languages import language_name
from wayhome.core.paging import CappedPaginator
from wayhome.core.text import validate_multiline
from wayhome.people.models import Person
from wayhome.reintegration import services
from wayhome.reintegration.models import Category, Referral
from wayhome.reintegration.schemas import answer_due_on, shared_of
from wayhome.reintegration.selectors import partner_referral_get, partner_referrals

PER_PAGE = 50

#: What a partner user may do, in the order of the page: (button, the note's label, required).
MOVES: dict[str, tuple[Any, Any, bool]] = {
    "accept": (gettext_lazy("Accept"), gettext_lazy("Note for the office"), False),
    "decline": (gettext_lazy("Decline"), gettext_lazy("Why you decline"), True),
    "progress": (gettext_lazy("Report progress"), gettext_lazy("Progress"), True),
    "complete": (gettext_lazy("Report completion"), gettext_lazy("Note for the office"), False),
}

#: The person fields a referral may share, with their labels, in the page's order.
PERSON_LABELS: dict[str, Any] = {
    "given_name": gettext_lazy("Given name(s)"),
    "family_name": gettext_lazy("Family name(s)"),
    "sex": gettext_lazy("Sex"),
    "date_of_birth": gettext_lazy("Date of birth"),
    "languages": gettext_lazy("Languages"),
    "contacts": gettext_lazy("Contacts"),
}

#: The columns of the CSV, in order: the referral, then one referred person per row.
EXPORT_FIELDS: tuple[str, ...] = (
    "reference",
    "partner",
    "category",
    "service",
    "status",
    "sent_on",
    "answer_due_on",
    "destination_country",
    "destination_region",
    "destination_place",
    "person",
    *services.PERSON_FIELDS,
    "note",
)


class ReportForm(forms.Form):
    """A partner's answer or report: the note (the reason, to decline)."""

    note = forms.CharField(
        max_length=2000,
        required=False,
        validators=[validate_multiline],
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, move: str, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{move}_%s")
        super().__init__(*args, **kwargs)
        _button, label, required = MOVES[move]
        self.move = move
        self.button = _button
        self.fields["note"].label = label
        self.fields["note"].required = required


def _label(choices: Any, value: Any) -> str:
    if value in choices.values:
        return str(choices(value).label)
    return "" if value is None else str(value)


def _contacts(value: Any) -> str:
    shown = []
    for contact in value or []:
        if isinstance(contact, dict):
            kind, text = str(contact.get("kind") or ""), str(contact.get("value") or "")
            shown.append(f"{kind}: {text}" if kind else text)
        else:
            shown.append(str(contact))
    return "; ".join(shown)


def _person_value(name: str, value: Any) -> str:
    if value in (None, "", []):
        return ""
    if name == "sex":
        return _label(Person.Sex, value)
    if name == "languages":
        return ", ".join(language_name(str(code)) for code in value)
    if name == "contacts":
        return _contacts(value)
    return str(value)


def _people(package: dict[str, Any]) -> list[dict[str, Any]]:
    """Each person by label, with exactly the fields shared (in the page's order)."""
    return [
        {
            "label": row.get("label", ""),
            "fields": [
                (PERSON_LABELS[name], _person_value(name, row[name]))
                for name in services.PERSON_FIELDS
                if name in row
            ],
        }
        for row in package.get("people") or []
    ]


def referral_viewed(user: Any, referral: Referral) -> None:
    """A partner user read a referral (page or API): in the trail of the office that sent it."""
    audit_record(
        actor=user,
        action="reintegration.referral_view",
        object_type="reintegration.referral",
        object_id=referral.pk,
        office_id=referral.office_id,
    )


# --- the list ------------------------------------------------------------------------------------


def _row(referral: Referral) -> dict[str, Any]:
    package = shared_of(referral)
    return {
        "referral": referral,
        "reference": package.get("reference", ""),
        "category": _label(Category, referral.category),
        "service": package.get("service", ""),
        "answer_due_on": answer_due_on(referral),
    }


@login_required
@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    """The referrals to the user's organisations, latest first (empty for anyone else)."""
    page = CappedPaginator(partner_referrals(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "rows": [_row(referral) for referral in page.object_list]}
    return no_store(render(request, "partner/referral_list.html", context))


# --- one referral --------------------------------------------------------------------------------


def _forms(referral: Referral, posted: ReportForm | None = None) -> list[ReportForm]:
    """The forms for what can be done now, the one posted (with its errors) in its place."""
    result = []
    for move in MOVES:
        sources, _target = services.PARTNER_MOVES[move]
        if referral.status not in sources:
            continue
        result.append(posted if posted is not None and posted.move == move else ReportForm(move))
    return result


def _detail_page(
    request: HttpRequest,
    referral: Referral,
    *,
    posted: ReportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    referral_viewed(request.user, referral)
    package = shared_of(referral)
    region = package.get("destination_region")
    forms_shown = _forms(referral, posted)
    context = {
        "referral": referral,
        "package": package,
        "category": _label(Category, referral.category),
        "country": country_name(str(package.get("destination_country") or "")),
        "region": subdivision_name(str(region)) if region else "",
        "region_shared": "destination_region" in package,
        "place_shared": "destination_place" in package,
        "people": _people(package),
        "updates": list(referral.updates.order_by("created_at", "id")),
        "answer_due_on": answer_due_on(referral),
        "forms": forms_shown,
        # A move refused because the referral moved on meanwhile: its form is no longer shown.
        "refused": [] if posted is None or posted in forms_shown else posted.non_field_errors(),
    }
    return no_store(render(request, "partner/referral_detail.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def referral_detail(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """The shared package and the updates; POST ``move`` (accept, decline, progress, complete)
    with a ``note`` answers or reports."""
    referral = partner_referral_get(request.user, referral_id)
    if request.method == "GET":
        return _detail_page(request, referral)
    move = request.POST.get("move", "")
    if move not in MOVES:
        return _detail_page(request, referral, status=400)
    form = ReportForm(move, request.POST)
    if form.is_valid():
        try:
            services.referral_report(
                actor=request.user, referral=referral, move=move, note=form.cleaned_data["note"]
            )
        except PermissionDenied:  # no longer a member, or the partner was deactivated meanwhile
            raise Http404 from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your answer is recorded; the office sees it."))
            return redirect("partner:referral", referral_id=referral.pk)
    referral.refresh_from_db()
    return _detail_page(request, referral, posted=form, status=400)


# --- the export ----------------------------------------------------------------------------------


def _export_value(name: str, value: Any) -> str:
    """Codes as stored (sex, languages), a person's contacts on one line."""
    if name == "contacts":
        return _contacts(value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


def export_rows(referrals: list[Referral]) -> list[dict[str, str]]:
    """One row per referred person, with only what each referral shared."""
    rows = []
    for referral in referrals:
        package = shared_of(referral)
        due = answer_due_on(referral)
        common = {
            "reference": package.get("reference", ""),
            "partner": referral.partner.name,
            "category": referral.category,
            "service": package.get("service", ""),
            "status": referral.status,
            "sent_on": referral.sent_at.date().isoformat(),
            "answer_due_on": due.isoformat() if due else "",
            "destination_country": package.get("destination_country", ""),
            "destination_region": package.get("destination_region", ""),
            "destination_place": package.get("destination_place", ""),
            "note": package.get("note", ""),
        }
        for person in package.get("people") or [{}]:
            row = dict.fromkeys(EXPORT_FIELDS, "")
            row.update(common)
            row["person"] = person.get("label", "")
            for name in services.PERSON_FIELDS:
                if name in person:
                    row[name] = _export_value(name, person[name])
            rows.append({key: safe_cell(value) for key, value in row.items()})
    return rows


@login_required
@require_GET
def referral_export(request: HttpRequest) -> HttpResponse:
    """The user's referrals as CSV, one row per referred person, the shared fields only; the
    export is audited for each referral, in the trail of the office that sent it."""
    referrals = list(partner_referrals(request.user))
    rows = export_rows(referrals)
    audit_record_many(
        actor=request.user,
        action="reintegration.referral_export",
        objects=[
            ("reintegration.referral", r.pk, r.office_id, {"format": "csv"}) for r in referrals
        ],
    )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS, extrasaction="raise")
    writer.writeheader()
    writer.writerows(rows)
    response = HttpResponse(
        buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="referrals.csv"'
    return no_store(response)
