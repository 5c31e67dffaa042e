from __future__ import annotations

import uuid

from ninja import Schema


class OfficeAccess(Schema):
    id: uuid.UUID
    code: str
    name: str
    roles: list[str]
    permissions: list[str]


class Me(Schema):
    id: uuid.UUID
    email: str
    full_name: str
    offices: list[OfficeAccess]


class ErrorBody(Schema):
    code: str
    message: str
    details: object = None


class Error(Schema):
    error: ErrorBody


class Unmet(Schema):
    """A condition not met (a guard's answer), in words a caseworker understands."""

    code: str
    message: str
    subject: str
