"""The REST API: one NinjaAPI at /api/v1/, mounting each app's router listed in ``ROUTERS``.

To add an app's API: write ``wayhome/<app>/api.py`` with ``router = Router(tags=[...])`` and add
one line to ``ROUTERS``. Every operation requires a bearer token unless it says ``auth=None``.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.module_loading import import_string
from ninja import NinjaAPI, Router

from wayhome.accounts.models import Office, RoleGrant
from wayhome.accounts.permissions import permissions_of
from wayhome.api.auth import bearer_auth
from wayhome.api.errors import install_error_handlers
from wayhome.api.schemas import Error, Me, OfficeAccess

# (prefix, dotted path of a ninja Router). One line per app.
ROUTERS: list[tuple[str, str]] = [
    ("/people", "wayhome.people.api.router"),
    ("/cases", "wayhome.cases.api.router"),
    # Two routers may share a prefix: consent's operations are /cases/{case_id}/sessions etc.
    ("/cases", "wayhome.consent.api.router"),
    ("/eligibility", "wayhome.eligibility.api.router"),
    ("/assessments", "wayhome.assessments.api.router"),
    ("/safety", "wayhome.safety.api.router"),
    ("/movements", "wayhome.movements.api.router"),
    ("/reintegration", "wayhome.reintegration.api.router"),
    # Partner users' own API: what was referred to their organisation, the shared fields only.
    ("/partner", "wayhome.reintegration.partner_api.router"),
    # The public portal's operations (no token; rate-limited), and their staff side.
    ("/public", "wayhome.portal.public_api.router"),
    ("/public", "wayhome.feedback.public_api.router"),
    ("/portal", "wayhome.portal.api.router"),
    ("/feedback", "wayhome.feedback.api.router"),
    ("/surveys", "wayhome.surveys.api.router"),
    ("/reporting/microdata", "wayhome.reporting.microdata_api.router"),
    ("/reporting", "wayhome.reporting.api.router"),
    ("/imports", "wayhome.imports.api.router"),
    ("/exports", "wayhome.exports.api.router"),
    ("/protection", "wayhome.protection.api.router"),
    ("/retention", "wayhome.retention.api.router"),
]

ERROR_RESPONSES = {401: Error}

core = Router(tags=["account"])


@core.get("/me", response={200: Me, **ERROR_RESPONSES}, summary="The token's user")
def me(request: HttpRequest) -> Me:
    """The user the token belongs to, with their offices, roles and permissions."""
    user = request.auth.user  # type: ignore[attr-defined]
    grants = (
        RoleGrant.objects.filter(user=user, office__is_active=True)
        .select_related("office")
        .order_by("office__code", "role")
    )
    offices: dict[object, OfficeAccess] = {}
    for grant in grants:
        office: Office = grant.office
        access = offices.setdefault(
            office.pk,
            OfficeAccess(
                id=office.pk, code=office.code, name=office.name, roles=[], permissions=[]
            ),
        )
        access.roles.append(grant.role)
        access.permissions = sorted(
            set(access.permissions) | {str(perm) for perm in permissions_of(grant.role)}
        )
    return Me(
        id=user.pk, email=user.email, full_name=user.full_name, offices=list(offices.values())
    )


def build_api(routers: list[tuple[str, str]], *, urls_namespace: str = "api:v1") -> NinjaAPI:
    """The API with the account router and each ``(prefix, dotted path)`` router mounted."""
    built = NinjaAPI(
        title="Wayhome API",
        version="1",
        description=(
            "Case management for Assisted Voluntary Return and Reintegration. "
            "Authenticate with a personal token: `Authorization: Bearer <token>`. "
            'Every error has the shape {"error": {"code", "message", "details"}}. '
            "Send an `Idempotency-Key` header with a POST to make a retry safe: the same key "
            "and request get the first answer again (`Idempotent-Replayed: true`)."
        ),
        urls_namespace=urls_namespace,
        docs_url=None,  # ninja's pages load scripts from a CDN; ours is views.operation_list
        auth=bearer_auth,
    )
    install_error_handlers(built)
    built.add_router("", core)
    for prefix, dotted in routers:
        built.add_router(prefix, import_string(dotted))
    return built


api = build_api(ROUTERS)
