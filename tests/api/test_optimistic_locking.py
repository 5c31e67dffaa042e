"""No silent overwrite: every change carries the version it was read at, and of two concurrent
edits of one record exactly one wins; the other is told 409 and changes nothing."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tests.cases.factories import CaseFactory
from tests.conftest import Personas
from wayhome.api import api as api_module
from wayhome.api.services import token_issue
from wayhome.cases.models import Case


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def test_every_change_operation_requires_the_version_read() -> None:
    schema = api_module.api.get_openapi_schema()
    components = schema["components"]["schemas"]
    changes = 0
    for path, item in schema["paths"].items():
        for method in ("patch", "put"):
            operation = item.get(method)
            if operation is None:
                continue
            changes += 1
            body = operation["requestBody"]["content"]["application/json"]["schema"]
            required = _resolve(body, components).get("required", [])
            assert "version" in required, f"{method.upper()} {path} does not require the version"
            assert "409" in {str(code) for code in operation["responses"]}, (
                f"{method.upper()} {path} has no 409 answer"
            )
    assert changes >= 10


@pytest.mark.postgres_only  # two writers at once: SQLite runs one writer at a time
@pytest.mark.django_db(transaction=True)
def test_of_two_concurrent_edits_of_a_case_exactly_one_wins(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    tokens = [
        token_issue(actor=None, user=personas.caseworker_a, name=f"editor {n}")[1] for n in (1, 2)
    ]
    for round_ in range(5):
        version = Case.objects.get(pk=case.pk).version
        barrier = threading.Barrier(2)
        answers: dict[str, int] = {}

        def edit(
            secret: str,
            notes: str,
            version: int = version,
            barrier: threading.Barrier = barrier,
            answers: dict[str, int] = answers,
        ) -> None:
            try:
                barrier.wait(10)
                response = Client().patch(
                    f"/api/v1/cases/{case.pk}",
                    json.dumps({"version": version, "notes": notes}),
                    content_type="application/json",
                    headers={"Authorization": f"Bearer {secret}"},
                )
                answers[notes] = response.status_code
            finally:
                connection.close()

        editors = [
            threading.Thread(target=edit, args=(secret, f"round {round_} by editor {n}"))
            for n, secret in enumerate(tokens, start=1)
        ]
        for thread in editors:
            thread.start()
        for thread in editors:
            thread.join()

        assert sorted(answers.values()) == [200, 409], answers
        winner = next(notes for notes, status in answers.items() if status == 200)
        stored = Case.objects.get(pk=case.pk)
        assert stored.notes == winner
        assert stored.version == version + 1
