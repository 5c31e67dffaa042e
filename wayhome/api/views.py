"""The user's API tokens (list, create, revoke) and the API's documentation page."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wayhome.api import selectors, services
from wayhome.api.api import api
from wayhome.api.forms import TokenCreateForm

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's own tokens; POST creates one and shows its secret this once."""
    form = TokenCreateForm(request.POST or None)
    secret = None
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = services.token_issue(
                actor=request.user,
                user=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                expires_at=form.expires_at(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = TokenCreateForm()
    status = 400 if request.method == "POST" and secret is None else 200
    return render(
        request,
        "api/token_list.html",
        {
            "form": form,
            "tokens": selectors.token_list(actor=request.user),
            "created": created,
            "secret": secret,
        },
        status=status,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: uuid.UUID) -> HttpResponse:
    token = selectors.token_get(actor=request.user, token_id=token_id)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api:token-list")


@dataclass
class Parameter:
    name: str
    location: str
    required: bool
    type: str


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    authenticated: bool
    parameters: list[Parameter] = field(default_factory=list)
    body: str = ""
    responses: list[str] = field(default_factory=list)


def _type_name(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type_name(option) for option in schema["anyOf"])
    kind = str(schema.get("type", ""))
    if kind == "array":
        return f"{_type_name(schema.get('items', {}))}[]"
    fmt = schema.get("format")
    return f"{kind} ({fmt})" if fmt else kind


def operations_of(schema: dict[str, Any]) -> list[Operation]:
    """Every operation of an OpenAPI document, in path order."""
    default_security = schema.get("security", [])
    result = []
    for path, item in schema.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method not in item:
                continue
            op = item[method]
            security = op.get("security", default_security)
            body_schema = (
                op.get("requestBody", {}).get("content", {}).get("application/json", {})
            ).get("schema")
            result.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    summary=op.get("summary") or op.get("operationId", ""),
                    description=op.get("description", ""),
                    authenticated=bool(security),
                    parameters=[
                        Parameter(
                            name=param["name"],
                            location=param["in"],
                            required=bool(param.get("required")),
                            type=_type_name(param.get("schema", {})),
                        )
                        for param in op.get("parameters", [])
                    ],
                    body=_type_name(body_schema) if body_schema else "",
                    responses=sorted(op.get("responses", {})),
                )
            )
    return result


@functools.cache
def _document() -> tuple[dict[str, Any], list[Any]]:
    """The OpenAPI document and its operations: built once per process (about 0.7 s; the
    document only changes with the code)."""
    schema = api.get_openapi_schema()
    return schema, operations_of(schema)


@require_GET
def operation_list(request: HttpRequest) -> HttpResponse:
    """The API's documentation, server-rendered from the OpenAPI document (no scripts, no CDN)."""
    schema, operations = _document()
    return render(
        request,
        "api/operation_list.html",
        {
            "title": schema["info"]["title"],
            "version": schema["info"]["version"],
            "operations": operations,
            "openapi_url": reverse("api:v1:openapi-json"),
            "tokens_url": reverse("api:token-list"),
        },
    )
