"""The REST API: one NinjaAPI at /api/v1/, mounting each app's router listed in ``ROUTERS``.

To add an app's API: write ``wayhome/<app>/api.py`` with ``router = Router(tags=[...])`` and add
one line to ``ROUTERS``. Every operation requires a bearer token unless it says ``auth=None``.
"""

from __future__ import annotations

from typing import Any

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


#: Answers of the API's own error handling (``api/errors.py``) that any operation may give,
#: whatever it declares: documented on every operation they apply to, so that the document
#: lists every status a client can get (checked by tests/security/test_schemathesis.py).
COMMON_ERRORS = {
    400: "The request body is not valid JSON.",
    401: "A valid bearer token is required.",
    404: "Not found, or not visible to the token's user.",
    422: "The request is not valid.",
}
OPERATION_METHODS = {"get", "post", "put", "patch", "delete"}


def _common_errors(operation: dict[str, Any]) -> list[int]:
    parameters = operation.get("parameters", [])
    statuses = []
    if operation.get("requestBody"):
        statuses.append(400)
    if operation.get("security"):
        statuses.append(401)
    if any(parameter.get("in") == "path" for parameter in parameters):
        statuses.append(404)
    if parameters or operation.get("requestBody"):
        statuses.append(422)
    return statuses


def document_common_errors(schema: dict[str, Any]) -> None:
    """Adds the statuses of ``COMMON_ERRORS`` that apply to each operation of ``schema``: 400
    with a body, 401 with a token, 404 with a path parameter, 422 with any input."""
    shape = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if method not in OPERATION_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status in _common_errors(operation):
                if status not in responses and str(status) not in responses:
                    responses[status] = {"description": COMMON_ERRORS[status], "content": shape}


class WayhomeApi(NinjaAPI):
    """A NinjaAPI whose OpenAPI document also lists the common error answers."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_common_errors(schema)
        return schema


def build_api(routers: list[tuple[str, str]], *, urls_namespace: str = "api:v1") -> NinjaAPI:
    """The API with the account router and each ``(prefix, dotted path)`` router mounted."""
    built = WayhomeApi(
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
