"""Session timeouts, the MFA gate and the user's working office."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from wayhome.accounts import mfa
from wayhome.accounts.policies import is_office_staff
from wayhome.accounts.selectors import working_office

SESSION_STARTED = "wh_started"
SESSION_LAST_SEEN = "wh_last_seen"
# The idle clock is written at most this often, so that reads do not write the session each time.
LAST_SEEN_RESOLUTION = 60

# Paths a signed-in user may reach before completing MFA. Not /api/: the token page there would
# let a password alone mint a bearer token (API clients with a bearer token have no session, so
# the gate does not touch them).
MFA_EXEMPT_PREFIXES = (
    "/static/",
    "/healthz",
    "/metrics",  # a bearer token of its own (WAYHOME_METRICS_TOKEN), no session
    "/api/v1/",  # bearer tokens only; the token pages under /api/tokens/ need MFA
    "/i18n/",
    "/accounts/mfa/",
    "/accounts/logout/",
)


def _now_ts() -> float:
    return timezone.now().timestamp()


def session_start(request: HttpRequest) -> None:
    now = _now_ts()
    request.session[SESSION_STARTED] = now
    request.session[SESSION_LAST_SEEN] = now


class SessionTimeoutMiddleware:
    """Signs out a session idle for SESSION_IDLE_TIMEOUT or older than SESSION_ABSOLUTE_TIMEOUT."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = _now_ts()
            started = request.session.get(SESSION_STARTED, now)
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
            absolute = settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
            if now - last_seen > idle or now - started > absolute:
                logout(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
                return HttpResponseRedirect(reverse(settings.LOGIN_URL))
            if SESSION_STARTED not in request.session:
                request.session[SESSION_STARTED] = now
            if now - last_seen >= LAST_SEEN_RESOLUTION or SESSION_LAST_SEEN not in request.session:
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


class MfaRequiredMiddleware:
    """A user with an MFA device must verify it; with REQUIRE_MFA, one must be enrolled."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[attr-defined]
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
        ):
            if mfa.has_device(user):
                return HttpResponseRedirect(reverse("accounts:mfa-verify"))
            if settings.REQUIRE_MFA:
                return HttpResponseRedirect(reverse("accounts:mfa-enrol"))
        return self.get_response(request)


#: What a signed-in user without any office permission (a partner user) may reach; everything
#: else answers 404 as if it did not exist. The API applies the same rule to bearer tokens
#: (``api/auth.py``).
NON_STAFF_PREFIXES = (
    "/static/",
    "/healthz",
    "/metrics",  # a bearer token of its own (WAYHOME_METRICS_TOKEN), no session
    "/i18n/",
    "/accounts/",
    "/partner/",
    "/portal/",  # the public portal: open to everyone
    "/api/tokens/",
    "/api/v1/",  # bearer tokens: checked by the API's authentication
)


class StaffOnlyMiddleware:
    """Deny by default for users who hold no permission in any office: only their own pages
    (``NON_STAFF_PREFIXES``) and the home page, which points partner users to their referrals."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and request.path != "/"
            and not request.path.startswith(NON_STAFF_PREFIXES)
            and not is_office_staff(user)
        ):
            raise Http404
        return self.get_response(request)


class CurrentOfficeMiddleware:
    """``request.office``: the office the user works in now (chosen with the office switcher)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.office = SimpleLazyObject(lambda: working_office(request))  # type: ignore[attr-defined]
        return self.get_response(request)
