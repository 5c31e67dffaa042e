"""A backup restores to the same data: ``pg_dump`` of a database holding one record of every kind
(the factories of every route's entity, each with what it needs: people, cases, documents,
consents, plans, feedback, audit events...), ``pg_restore`` into a new database, and the two give
the same ``manage.py data_digest`` (every table, personal values decrypted), and the restored audit
chain verifies. This is the restore drill of docs/operations.md, run by CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import Personas
from tests.gunicorn_server import ROOT, database_url
from tests.routes import object_routes, objects_of_every_factory


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))
    assert found, "pg_dump is not installed (.ci/run installs postgresql)"
    return found[-1].parent


def _pg_env() -> dict[str, str]:
    settings = connection.settings_dict
    env = dict(os.environ)
    env.update(
        PGHOST=str(settings["HOST"]), PGPORT=str(settings["PORT"]), PGUSER=str(settings["USER"])
    )
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return env


def _manage(database: str, *args: str) -> str:
    env = dict(os.environ, WAYHOME_DATABASE_URL=database)
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_to_identical_data(personas: Personas, tmp_path: Path) -> None:
    made = objects_of_every_factory(object_routes(), personas.office_a)
    assert len(made) >= 20
    source = database_url()
    name = str(connection.settings_dict["NAME"])
    restored_name = f"{name}_restored"
    restored = source.rsplit("/", 1)[0] + f"/{restored_name}"
    dump = tmp_path / "wayhome.dump"
    pg, env = _pg_bin(), _pg_env()
    subprocess.run([pg / "pg_dump", "-Fc", "-f", dump, name], env=env, check=True)
    subprocess.run([pg / "dropdb", "--if-exists", restored_name], env=env, check=True)
    subprocess.run([pg / "createdb", "-T", "template0", restored_name], env=env, check=True)
    try:
        subprocess.run(
            [pg / "pg_restore", "--no-owner", "--exit-on-error", "-d", restored_name, dump],
            env=env,
            check=True,
        )
        before = _manage(source, "data_digest").splitlines()
        after = _manage(restored, "data_digest").splitlines()
        _manage(restored, "audit_verify")
    finally:
        subprocess.run([pg / "dropdb", "--if-exists", restored_name], env=env, check=True)

    assert before == after
    counts = {line.split()[0]: int(line.split()[1]) for line in before[:-1]}
    for label in ("people.Person", "cases.Case", "cases.CaseMember", "audit.AuditEvent"):
        assert counts[label] >= 1, f"{label} is empty: the drill would prove nothing about it"
