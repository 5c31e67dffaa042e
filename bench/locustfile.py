"""Load test of the API with locust: ``make load URL=http://127.0.0.1:8000 SECONDS=60 USERS=20``.

Two kinds of simulated user:

- ``ApiUser``: a caseworker's API client. It signs in with a personal API token
  (``WAYHOME_BENCH_TOKEN``, from ``manage.py issue_token``), lists cases with a filter, searches
  cases by name (a POST, so that no name is in a URL), opens a case from the list, and now and
  then registers a person in ``WAYHOME_BENCH_OFFICE_ID`` with an ``Idempotency-Key`` (and
  retries one create with the same key, which must answer the same person, not a second one).
- ``BareUser``: a Django view that returns ``{"ok": true}`` (``/bench/bare``, routed only with
  ``WAYHOME_BENCH=1``): what the stack costs before any application code, for comparison.

Run against a test installation, never production: ``ApiUser`` writes people. Names are made up
(``WAYHOME_BENCH_NAMES``, comma-separated, overrides them); requests are named by their route
(``/api/v1/cases/{case_id}``), so locust's statistics hold no id or name.
"""

from __future__ import annotations

import os
import random
import uuid
from datetime import date
from typing import Any

from locust import HttpUser, between, task

STATUSES = ("registered", "counselling", "application_submitted", "approved")
NAMES = [
    name.strip()
    for name in (
        os.environ.get("WAYHOME_BENCH_NAMES")
        or "Amina Diallo,Jonas Berg,Maria Nunez,Omar Haddad,Elena Petrova"
    ).split(",")
    if name.strip()
]


class ApiUser(HttpUser):
    """A caseworker's API client (bearer token)."""

    wait_time = between(0.1, 0.5)
    weight = 4

    def on_start(self) -> None:
        token = os.environ.get("WAYHOME_BENCH_TOKEN", "")
        if not token:
            raise RuntimeError("WAYHOME_BENCH_TOKEN is not set (manage.py issue_token --email ...)")
        self.client.headers["Authorization"] = f"Bearer {token}"
        self.office_id = os.environ.get("WAYHOME_BENCH_OFFICE_ID", "")
        self.case_ids: list[str] = []

    @task(5)
    def list_cases(self) -> None:
        params = {"status": random.choice(STATUSES), "limit": 50}
        with self.client.get(
            "/api/v1/cases", params=params, name="/api/v1/cases?status", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return
            items: list[dict[str, Any]] = response.json().get("items", [])
            self.case_ids = [item["id"] for item in items][:50] or self.case_ids

    @task(3)
    def search_by_name(self) -> None:
        self.client.post(
            "/api/v1/cases/search", json={"q": random.choice(NAMES)}, name="/api/v1/cases/search"
        )

    @task(5)
    def open_case(self) -> None:
        if not self.case_ids:
            self.list_cases()
            if not self.case_ids:
                return
        case_id = random.choice(self.case_ids)
        self.client.get(f"/api/v1/cases/{case_id}", name="/api/v1/cases/{case_id}")

    @task(1)
    def create_person(self) -> None:
        if not self.office_id:
            return
        given, _sep, family = random.choice(NAMES).partition(" ")
        body = {
            "office_id": self.office_id,
            "given_name": given,
            "family_name": family or "Bench",
            "date_of_birth": date.fromordinal(
                date(1960, 1, 1).toordinal() + random.randint(0, 14_000)
            ).isoformat(),
        }
        key = uuid.uuid4().hex
        headers = {"Idempotency-Key": key}
        with self.client.post(
            "/api/v1/people",
            json=body,
            headers=headers,
            name="/api/v1/people",
            catch_response=True,
        ) as first:
            if first.status_code != 201:
                first.failure(f"status {first.status_code}")
                return
        if random.random() < 0.1:  # a client retrying after a lost answer
            with self.client.post(
                "/api/v1/people",
                json=body,
                headers=headers,
                name="/api/v1/people (retry)",
                catch_response=True,
            ) as retry:
                if retry.status_code != 201 or retry.json().get("id") != first.json().get("id"):
                    retry.failure("a retried create did not answer the first person")


class BareUser(HttpUser):
    """The baseline: Django's cheapest JSON view through the whole middleware stack."""

    wait_time = between(0.1, 0.5)
    weight = 1

    @task
    def bare(self) -> None:
        self.client.get("/bench/bare", name="/bench/bare")
