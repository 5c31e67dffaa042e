"""No lost and no doubled writes: 2,000 concurrent creates, each with its Idempotency-Key, against
gunicorn on PostgreSQL while workers are killed with SIGKILL. Clients retry whatever got no answer
(a dropped connection, a key still held) with the same key, as the API documentation tells them.
Every acknowledged create must be present exactly once, and every create is acknowledged."""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from http.client import HTTPException
from pathlib import Path

import pytest

from tests.conftest import Personas
from tests.gunicorn_server import Server, gunicorn
from wayhome.api.models import IdempotencyRecord
from wayhome.api.services import token_issue
from wayhome.people.models import Person

CREATES = 2000
CLIENTS = 32
KILL_AFTER = (150, 600, 1100)  # acknowledged creates after which a worker is killed
GIVEN = [
    "Amina",
    "Bola",
    "Chidi",
    "Dawit",
    "Efua",
    "Fatou",
    "Garang",
    "Hawa",
    "Idris",
    "Jamal",
    "Kofi",
    "Lamin",
    "Mariam",
    "Nadia",
    "Omar",
    "Penda",
    "Rokia",
    "Samba",
    "Tigist",
    "Umaru",
    "Wuraola",
    "Yaw",
    "Zainab",
    "Abdou",
    "Binta",
    "Cheikh",
    "Dede",
    "Ebrima",
    "Fanta",
    "Kwame",
    "Musa",
]
FAMILY = [
    "Abebe",
    "Bangura",
    "Camara",
    "Diallo",
    "Eze",
    "Fofana",
    "Gueye",
    "Haile",
    "Ibrahim",
    "Jallow",
    "Kamara",
    "Keita",
    "Mensah",
    "Ndiaye",
    "Okafor",
    "Oumarou",
    "Sesay",
    "Traore",
    "Touray",
    "Wanjiru",
    "Yeboah",
    "Zerihun",
    "Adeyemi",
    "Baldeh",
    "Conteh",
    "Dembele",
    "Essien",
    "Fall",
    "Gyasi",
    "Hassan",
    "Issa",
    "Jabbie",
    "Kante",
    "Lo",
    "Mbaye",
    "Njie",
    "Owusu",
    "Sow",
    "Sylla",
    "Tall",
    "Bah",
    "Barry",
    "Cisse",
    "Doumbia",
    "Kone",
    "Mane",
    "Sanneh",
    "Sidibe",
    "Toure",
    "Wade",
    "Asante",
    "Boateng",
    "Coulibaly",
    "Darboe",
    "Ekwueme",
    "Faye",
    "Gaye",
    "Hydara",
    "Idowu",
    "Jatta",
    "Kebede",
    "Lemma",
    "Manneh",
    "Nwosu",
    "Obi",
    "Pereira",
]


def _names() -> list[tuple[str, str]]:
    pairs = list(itertools.product(GIVEN, FAMILY))
    random.Random(9).shuffle(pairs)
    assert len(pairs) >= CREATES
    return pairs[:CREATES]


class Run:
    def __init__(self, server: Server, auth: str, office_id: str) -> None:
        self.server = server
        self.auth = auth
        self.office_id = office_id
        self.lock = threading.Lock()
        self.acknowledged: dict[str, str] = {}  # key -> id answered
        self.interrupted = 0  # requests that got no answer (their worker died, or refused)
        self.in_progress = 0  # 409 idempotency_in_progress answers
        self.kills = 0
        self.failures: list[str] = []

    def create(self, key: str, given: str, family: str) -> None:
        body = json.dumps(
            {"office_id": self.office_id, "given_name": given, "family_name": family}
        ).encode()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            request = urllib.request.Request(  # noqa: S310 (loopback)
                f"{self.server.url}/api/v1/people",
                data=body,
                method="POST",
                headers={
                    "Authorization": self.auth,
                    "Idempotency-Key": key,
                    "Content-Type": "application/json",
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                    answer = json.loads(response.read())
                with self.lock:
                    self.acknowledged[key] = answer["id"]
                return
            except urllib.error.HTTPError as exc:
                if exc.code == 409:
                    with self.lock:
                        self.in_progress += 1
                    time.sleep(0.05)
                    continue
                with self.lock:
                    self.failures.append(f"{key}: HTTP {exc.code} {exc.read()[:200]!r}")
                return
            except (urllib.error.URLError, HTTPException, ConnectionError, TimeoutError):
                with self.lock:
                    self.interrupted += 1
                time.sleep(0.05)
        with self.lock:
            self.failures.append(f"{key}: never answered")

    def killer(self, stop: threading.Event) -> None:
        for threshold in KILL_AFTER:
            while len(self.acknowledged) < threshold and not stop.is_set():
                time.sleep(0.01)
            if stop.is_set():
                return
            os.kill(random.choice(self.server.workers()), signal.SIGKILL)
            self.kills += 1


@pytest.mark.postgres_only  # real worker processes, each with its own connection
@pytest.mark.django_db(transaction=True)
def test_killed_workers_lose_no_acknowledged_create_and_double_none(
    personas: Personas, tmp_path: Path
) -> None:
    _token, secret = token_issue(actor=None, user=personas.caseworker_a, name="kill test")
    office = personas.office_a
    names = _names()
    with gunicorn(tmp_path, workers=3) as server:
        run = Run(server, f"Bearer {secret}", str(office.pk))
        stop = threading.Event()
        killer = threading.Thread(target=run.killer, args=(stop,))
        killer.start()
        jobs = iter(enumerate(names))
        jobs_lock = threading.Lock()

        def client() -> None:
            while True:
                with jobs_lock:
                    job = next(jobs, None)
                if job is None:
                    return
                number, (given, family) = job
                run.create(f"create-{number:05d}", given, family)

        clients = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
        stop.set()
        killer.join()

    assert run.failures == []
    assert run.kills == len(KILL_AFTER)
    assert run.interrupted >= 1, "no request was in flight when a worker was killed"
    assert len(run.acknowledged) == CREATES
    answered = Counter(run.acknowledged.values())
    assert len(answered) == CREATES, "two keys were answered with the same record"
    stored = Counter(
        str(pk) for pk in Person.objects.filter(office=office).values_list("pk", flat=True)
    )
    assert stored == answered, "a create was lost or done twice"
    assert IdempotencyRecord.objects.count() == CREATES
    people = {(p.given_name, p.family_name) for p in Person.objects.filter(office=office)}
    assert people == set(names)
