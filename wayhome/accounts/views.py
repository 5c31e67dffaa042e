"""Sign-in, sign-out, MFA enrolment and verification, the office switcher."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from wayhome.accounts import mfa
from wayhome.accounts.forms import OfficeSwitchForm, SignInForm, TokenCodeForm
from wayhome.accounts.middleware import session_start
from wayhome.accounts.selectors import SESSION_OFFICE, office_list_for
from wayhome.audit.services import audit_record
from wayhome.core.http import safe_next


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        session_start(self.request)
        audit_record(actor=self.request.user, action="auth.login")
        return response


class SignOutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


def _next_url(request: HttpRequest) -> str:
    return safe_next(request) or reverse("core:home")


@login_required
def mfa_enrol(request: HttpRequest) -> HttpResponse:
    if mfa.has_device(request.user):
        return redirect("accounts:mfa-verify")
    device = mfa.pending_device(request.user)
    form = TokenCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
            device.confirmed = True
            otp_login(request, device)
            audit_record(actor=request.user, action="auth.mfa_enrol")
            messages.success(request, _("Two-step sign-in is on for your account."))
            return HttpResponseRedirect(_next_url(request))
        form.add_error("code", _("That code did not match. Check your app's clock and try again."))
    return render(
        request,
        "accounts/mfa_enrol.html",
        {"form": form, "secret": mfa.secret_base32(device)},
    )


@login_required
def mfa_qr(request: HttpRequest) -> HttpResponse:
    if mfa.has_device(request.user):
        return HttpResponse(status=404)
    device = mfa.pending_device(request.user)
    return HttpResponse(mfa.qr_svg(device), content_type="image/svg+xml")


@login_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():  # type: ignore[union-attr]
        return HttpResponseRedirect(_next_url(request))
    if not mfa.has_device(request.user):
        return redirect("accounts:mfa-enrol")
    form = TokenCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
            if device.verify_token(form.cleaned_data["code"]):
                otp_login(request, device)
                audit_record(actor=request.user, action="auth.mfa_verify")
                return HttpResponseRedirect(_next_url(request))
        audit_record(actor=request.user, action="auth.mfa_failure")
        form.add_error("code", _("That code did not match. Try the newest one."))
    return render(request, "accounts/mfa_verify.html", {"form": form})


@require_POST
@login_required
def office_switch(request: HttpRequest) -> HttpResponse:
    """Only to an office where the user holds a role; any other answers 404, as if absent."""
    form = OfficeSwitchForm(request.POST)
    if not form.is_valid():
        raise Http404
    office = office_list_for(request.user).filter(pk=form.cleaned_data["office"]).first()
    if office is None:
        raise Http404
    request.session[SESSION_OFFICE] = str(office.pk)
    messages.success(request, _("You are now working in %(office)s.") % {"office": office.name})
    return HttpResponseRedirect(_next_url(request))
