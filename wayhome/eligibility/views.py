"""Eligibility pages: the rules of each programme (every signed-in user reads them, administrators
save new versions) and the decision page of a case (404 for a case of another office).

Rule-set pages are addressed by programme and version number (``/rules/AVRR/2/``): rule sets are
organisation-wide, so they have no office and no id in the URL.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wayhome.cases.models import Programme
from wayhome.cases.selectors import case_get
from wayhome.core.forms import add_service_errors
from wayhome.eligibility.display import rules_in_words
from wayhome.eligibility.forms import RULE_FORMS, NoteForm, OverrideForm, RuleForm
from wayhome.eligibility.policies import may_decide, may_override, rules_admin
from wayhome.eligibility.rules import RULE_KINDS
from wayhome.eligibility.selectors import (
    decision_list,
    decision_problems,
    ruleset_active,
    ruleset_get,
    ruleset_list,
)
from wayhome.eligibility.services import eligibility_decide, eligibility_override, ruleset_create


def _programme(code: str) -> str:
    if code not in Programme.values:
        raise Http404
    return code


@login_required
@require_GET
def ruleset_list_view(request: HttpRequest) -> HttpResponse:
    rulesets = list(ruleset_list())
    programmes = []
    for code, label in Programme.choices:
        versions = [r for r in rulesets if r.programme == code]
        programmes.append({"code": code, "label": label, "versions": versions})
    context = {"programmes": programmes, "can_edit": rules_admin(request.user)}
    return render(request, "eligibility/ruleset_list.html", context)


@login_required
@require_GET
def ruleset_detail(request: HttpRequest, programme: str, version: int) -> HttpResponse:
    ruleset = ruleset_get(_programme(programme), version)
    active = ruleset_active(programme)
    context = {
        "ruleset": ruleset,
        "rows": rules_in_words(ruleset.rules),
        "active": active is not None and active.pk == ruleset.pk,
        "can_edit": rules_admin(request.user),
    }
    return render(request, "eligibility/ruleset_detail.html", context)


def _rule_forms(data: Any, rules: dict[str, Any]) -> dict[str, RuleForm]:
    return {
        kind: form_class(data, prefix=kind, initial=form_class.initial_for(rules.get(kind)))
        for kind, form_class in RULE_FORMS.items()
    }


@login_required
@require_http_methods(["GET", "POST"])
def ruleset_create_view(request: HttpRequest, programme: str) -> HttpResponse:
    """A new version of the programme's rules, starting from the active one."""
    programme = _programme(programme)
    if not rules_admin(request.user):
        raise PermissionDenied
    base = ruleset_active(programme)
    base_rules: dict[str, Any] = dict(base.rules) if base else {}
    data = request.POST if request.method == "POST" else None
    forms = _rule_forms(data, base_rules)
    note_form = NoteForm(data)
    problem = ""
    if data is not None and note_form.is_valid() and all(f.is_valid() for f in forms.values()):
        # Kinds without a form are carried over unchanged.
        rules = {k: v for k, v in base_rules.items() if k not in RULE_FORMS and k in RULE_KINDS}
        rules.update({k: f.params() for k, f in forms.items() if f.cleaned_data["enabled"]})
        try:
            ruleset = ruleset_create(
                actor=request.user,
                programme=programme,
                rules=rules,
                note=note_form.cleaned_data["note"],
            )
        except ValidationError as exc:
            problem = _put_errors(exc, forms, note_form)
        else:
            messages.success(
                request, _("Version %(version)s is now active.") % {"version": ruleset.version}
            )
            return redirect(
                "eligibility:ruleset-detail", programme=programme, version=ruleset.version
            )
    context = {
        "programme": programme,
        "programme_label": Programme(programme).label,
        "base": base,
        "forms": [(RULE_KINDS[kind].label, form) for kind, form in forms.items()],
        "note_form": note_form,
        "problem": problem,
    }
    status = 422 if data is not None else 200
    return render(request, "eligibility/ruleset_create.html", context, status=status)


def _put_errors(exc: ValidationError, forms: dict[str, RuleForm], note_form: NoteForm) -> str:
    """The service's errors on the fields they concern; what fits no field, as one sentence."""
    leftover: list[str] = []
    for key, items in (
        exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    ).items():
        kind, _dot, name = key.partition(".")
        form = forms.get(kind)
        if key == "note":
            note_form.add_error("note", items)
        elif form is not None and name in form.fields:
            form.add_error(name, items)
        elif form is not None:
            form.add_error(None, items)
        else:
            leftover.extend(items)
    return " ".join(leftover)


# --- a case's decisions -------------------------------------------------------------------------


def _decision_context(request: HttpRequest, case: Any, **extra: Any) -> dict[str, Any]:
    decisions = list(decision_list(case)[:20])
    latest = decisions[0] if decisions else None
    return {
        "case": case,
        "decision": latest,
        "earlier": decisions[1:],
        "problems": decision_problems(case, latest),
        "active": ruleset_active(case.programme),
        "can_decide": may_decide(request.user, case),
        "can_override": (
            may_override(request.user, case) and latest is not None and not latest.positive
        ),
        "override_form": extra.pop("override_form", None) or OverrideForm(),
        **extra,
    }


@login_required
@require_GET
def decision_detail(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = case_get(request.user, case_id)
    return render(request, "eligibility/decision_detail.html", _decision_context(request, case))


@login_required
@require_POST
def decision_create(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = case_get(request.user, case_id)
    try:
        decision = eligibility_decide(actor=request.user, case=case)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if decision.positive:
            messages.success(request, _("Decided: eligible."))
        else:
            messages.error(request, _("Decided: not eligible. See the rules not met."))
    return redirect("eligibility:decision-detail", case_id=case.pk)


@login_required
@require_POST
def decision_override(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = case_get(request.user, case_id)
    if not may_override(request.user, case):
        raise PermissionDenied
    form = OverrideForm(request.POST)
    decision = decision_list(case).first()
    if decision is None:
        raise Http404
    if form.is_valid():
        try:
            eligibility_override(
                actor=request.user, decision=decision, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The decision is overridden."))
            return redirect("eligibility:decision-detail", case_id=case.pk)
    context = _decision_context(request, case, override_form=form)
    return render(request, "eligibility/decision_detail.html", context, status=422)
