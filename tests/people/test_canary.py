"""A person registered with a unique canary name leaves no trace of it in the database files, a
dump of the database, or the logs (Done-when of issue 2).

The first test runs the real thing in a separate process: a fresh SQLite file database, migrated,
a person registered through ``person_create`` with every logger at DEBUG (SQL statements with
their parameters included), then every byte of the database, its -wal/-shm/-journal files, the log
file and the process output is searched. The second registers a person in the test database in a
committed transaction and searches a dump of it: ``pg_dump`` on PostgreSQL, ``iterdump`` on SQLite.
"""

from __future__ import annotations

import datetime
import logging
import os
import random
import shutil
import string
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from anyascii import anyascii
from django.db import connection

from config.env import new_key
from tests.factories import OfficeFactory
from wayhome.core import crypto
from wayhome.people.models import Person
from wayhome.people.services import person_create

ROOT = Path(__file__).resolve().parents[2]
GREEK = "αβγδεζηθικλμνξοπρστυφχψω"

SCRIPT = """
import datetime, logging, sys
import django

log_path, given, family, written, born = sys.argv[1:6]
django.setup()
handler = logging.FileHandler(log_path, encoding="utf-8")
handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s %(args)s"))
logging.getLogger().addHandler(handler)
logging.getLogger().setLevel(logging.DEBUG)
logging.getLogger("django.db.backends").setLevel(logging.DEBUG)

from wayhome.accounts.services import office_create
from wayhome.core import crypto
from wayhome.people.models import Person
from wayhome.people.services import person_create, person_update

office = office_create(actor=None, code="canary", name="Canary office", kind="host", country="DE")
person = person_create(
    actor=None, office=office, given_name=given, family_name=family, name_as_written=written,
    date_of_birth=datetime.date.fromisoformat(born), sex="female", nationality="NG",
)
person_update(actor=None, person=person, version=1, name_as_written=written + " " + given)
loaded = Person.objects.get(pk=person.pk)
found = Person.objects.filter(name_index=crypto.name_index(given.upper(), family)).count()
ok = (loaded.given_name, loaded.family_name, str(loaded.date_of_birth)) == (given, family, born)
print("stored", person.pk, "roundtrip", ok, "found", found)
"""


def canary() -> dict[str, str]:
    letters = random.SystemRandom()

    def word(alphabet: str, n: int = 12) -> str:
        return "".join(letters.choice(alphabet) for _ in range(n))

    return {
        "given": "Çanärÿ" + word(string.ascii_lowercase),
        "family": "Zeugïn" + word(string.ascii_uppercase),
        "written": word(GREEK).capitalize(),
        "born": (
            datetime.date(1901, 1, 1) + datetime.timedelta(days=letters.randint(0, 10000))
        ).isoformat(),
    }


def forms_of(values: dict[str, str]) -> set[bytes]:
    """Every form of the canary that must not appear: as typed, case-folded, upper case, in Latin
    letters, decomposed, and the random core of each name; in UTF-8 and as hex (how dumps show
    binary columns)."""
    texts: set[str] = set()
    for key in ("given", "family", "written"):
        value = values[key]
        for form in (value, value.casefold(), value.upper(), anyascii(value)):
            texts.update({form, form.casefold(), unicodedata.normalize("NFD", form)})
        texts.add(value[6:] if key != "written" else value)
    texts.add(crypto.normalise_name(f"{values['given']} {values['family']}"))
    texts.add(values["born"])
    encoded = {text.encode() for text in texts}
    return encoded | {value.hex().encode() for value in encoded}


def leaks(data: bytes, forbidden: set[bytes]) -> list[bytes]:
    lowered = data.lower()
    return [form for form in forbidden if form in data or form.lower() in lowered]


def test_canary_leaves_no_trace_in_a_sqlite_file_database_or_the_logs(tmp_path: Path) -> None:
    values = canary()
    database = tmp_path / "canary.sqlite3"
    log = tmp_path / "debug.log"
    env = {key: value for key, value in os.environ.items() if not key.startswith("WAYHOME_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "WAYHOME_DATABASE_URL": f"sqlite:///{database}",
            "WAYHOME_VAR_DIR": str(tmp_path / "var"),
            "WAYHOME_DEBUG": "1",
            "WAYHOME_LOG_LEVEL": "DEBUG",
            "WAYHOME_ENCRYPTION_KEYS": f"k1:{new_key()}",
            "WAYHOME_BLIND_INDEX_KEY": new_key(),
        }
    )
    outputs = []
    for command in (
        [sys.executable, "manage.py", "migrate", "--no-input"],
        [
            sys.executable,
            "-c",
            SCRIPT,
            str(log),
            values["given"],
            values["family"],
            values["written"],
            values["born"],
        ],
    ):
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=300)
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
        outputs.append(done.stdout + done.stderr)
    assert b"roundtrip True found 1" in outputs[-1]

    logged = log.read_bytes()
    assert b"INSERT INTO" in logged  # the SQL was logged, parameters included
    assert b"people_person" in logged
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert database in files
    forbidden = forms_of(values)
    for path in files:
        assert not leaks(path.read_bytes(), forbidden), path.name
    for output in outputs:
        assert not leaks(output, forbidden)


def _dump() -> bytes:
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        pg_dump = shutil.which("pg_dump") or "/usr/lib/postgresql/15/bin/pg_dump"
        assert Path(pg_dump).exists(), "pg_dump is needed to check the PostgreSQL database"
        env = dict(os.environ)
        if settings_dict.get("PASSWORD"):
            env["PGPASSWORD"] = settings_dict["PASSWORD"]
        command = [pg_dump, "--no-owner", "--dbname", settings_dict["NAME"]]
        for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if settings_dict.get(key):
                command += [option, str(settings_dict[key])]
        done = subprocess.run(command, env=env, capture_output=True, timeout=300)
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        return done.stdout
    assert connection.vendor == "sqlite"
    connection.ensure_connection()
    return "\n".join(connection.connection.iterdump()).encode()


def test_canary_leaves_no_trace_in_a_dump_of_the_test_database(
    transactional_db: None, caplog: pytest.LogCaptureFixture, monkeypatch: Any
) -> None:
    values = canary()
    monkeypatch.setattr(connection, "force_debug_cursor", True)
    with caplog.at_level(logging.DEBUG, logger="django.db.backends"):
        person = person_create(
            actor=None,
            office=OfficeFactory.create(),
            given_name=values["given"],
            family_name=values["family"],
            name_as_written=values["written"],
            date_of_birth=datetime.date.fromisoformat(values["born"]),
        )
    assert Person.objects.get(pk=person.pk).given_name == values["given"]
    assert "people_person" in caplog.text
    dump = _dump()
    assert str(person.pk).encode() in dump or person.pk.hex.encode() in dump
    forbidden = forms_of(values)
    assert not leaks(dump, forbidden)
    assert not leaks(caplog.text.encode(), forbidden)
