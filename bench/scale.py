"""The whole stack at scale: ``make bench`` (100,000 cases) and ``make bench-full`` (1,000,000).

Run by ``bench/run`` against a throwaway PostgreSQL it starts (settings of a small production
server, not the test cluster's ``fsync=off``). It:

1. migrates and writes synthetic data with ``manage.py generate_synthetic`` (``--cases N`` and as
   many people again without a case, so that the duplicate check searches a register of 2N
   people), timing it;
2. starts the production server, gunicorn with ``config/gunicorn.conf.py``, on 127.0.0.1, with
   ``WAYHOME_BENCH=1`` (which adds the baseline view ``/bench/bare``);
3. drives it with ``wrk`` (C, so that the load generator costs the two shared cores little), 32
   connections, and measures throughput and latency percentiles of: the bare Django JSON view
   (signed in, the same middleware: the stack's own limit), the case list filtered by status and
   paged (page and API), a search by name (page and API), the duplicate check of a registration;
4. times the statistics dashboard's first request (cold) and later ones (warm);
5. writes the figures, each with its ratio to the bare view of the same run, to bench/RESULTS.md
   between the markers of its mode, with the machine and the date.

Every request is authenticated as a caseworker and programme manager of every host office: the
lists cover every case. Nothing here is timed in the test suite.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["WAYHOME_REQUIRE_MFA"] = "0"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from wayhome.accounts.models import Office, RoleGrant, User  # noqa: E402
from wayhome.accounts.permissions import Role  # noqa: E402
from wayhome.api.services import token_issue  # noqa: E402
from wayhome.cases.models import Case  # noqa: E402
from wayhome.people.models import Person  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
CONNECTIONS = 32
DURATION = 20  # seconds per load
CSRF = "benchcsrfsecretbenchcsrfsecret00"  # 32 characters: a valid unmasked CSRF secret
STATUSES = ["closed", "counselling", "application_submitted", "arrived", "approved"]


@dataclass
class Load:
    name: str
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# --- data -----------------------------------------------------------------------------------------


def prepare(cases: int) -> dict[str, Any]:
    call_command("migrate", verbosity=0)
    have = Case.objects.count()
    figures: dict[str, Any] = {"cases": have, "generated": False}
    if have < cases:
        started = time.perf_counter()
        call_command(
            "generate_synthetic", cases=cases - have, people_extra=cases - have, seed=have + 1
        )
        figures["generation_s"] = time.perf_counter() - started
        figures["generated"] = True
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    figures["cases"] = Case.objects.count()
    figures["people"] = Person.objects.count()
    return figures


def bench_user() -> User:
    user, _ = User.objects.get_or_create(
        email="bench@bench.wayhome.org", defaults={"full_name": "Bench"}
    )
    for office in Office.objects.filter(kind=Office.Kind.HOST):
        for role in (Role.CASEWORKER, Role.MANAGER):
            RoleGrant.objects.get_or_create(user=user, office=office, role=role)
    return user


def session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={CSRF}"


def sample_people(count: int) -> list[Person]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM people_person TABLESAMPLE SYSTEM (1) REPEATABLE (7) LIMIT %s",
            [count],
        )
        ids = [row[0] for row in cursor.fetchall()]
    return list(Person.objects.filter(pk__in=ids))


def typo(name: str, rng: random.Random) -> str:
    """One letter doubled: what a hurried registration looks like."""
    if len(name) < 3:
        return name
    at = rng.randrange(1, len(name) - 1)
    return name[:at] + name[at] + name[at:]


# --- the server and the load ----------------------------------------------------------------------


def start_server(tmp: Path, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        WAYHOME_BENCH="1",
        WAYHOME_BIND=f"127.0.0.1:{port}",
        WAYHOME_DEBUG="0",
        PROMETHEUS_MULTIPROC_DIR=str(tmp / "metrics"),
    )
    (tmp / "metrics").mkdir()
    log = (tmp / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError((tmp / "gunicorn.log").read_text())


LUA = """
local requests = %(requests)s
local prepared = {}
local i = 0
init = function(args)
  for n, r in ipairs(requests) do
    prepared[n] = wrk.format(r.method, r.path, r.headers, r.body)
  end
end
request = function()
  i = i %% #prepared + 1
  return prepared[i]
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "errors": %%d, "p50": %%d, "p95": %%d, "p99": %%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout + e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string for this text (ASCII, escapes)


def _lua_requests(requests: list[dict[str, Any]]) -> str:
    items = []
    for r in requests:
        headers = ", ".join(
            f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in r["headers"].items()
        )
        body = _lua_string(r["body"]) if r.get("body") else "nil"
        items.append(
            f"{{method = {_lua_string(r['method'])}, path = {_lua_string(r['path'])}, "
            f"headers = {{{headers}}}, body = {body}}}"
        )
    return "{" + ",\n".join(items) + "}"


def load(
    name: str,
    base: str,
    requests: list[dict[str, Any]],
    tmp: Path,
    *,
    connections: int = CONNECTIONS,
    duration: int = DURATION,
) -> Load:
    # Every request once first: each must answer 200 (a redirect to sign in would be fast and
    # wrong), and the server warms up.
    for r in requests[:5]:
        req = urllib.request.Request(  # noqa: S310
            base + r["path"],
            data=r["body"].encode() if r.get("body") else None,
            method=r["method"],
            headers=r["headers"],
        )
        with urllib.request.urlopen(req, timeout=120) as response:  # noqa: S310
            assert response.status == 200, (name, r["path"], response.status)
            assert "/accounts/" not in response.url, (name, "redirected to sign in")
    script = tmp / (re.sub(r"\W+", "_", name) + ".lua")
    script.write_text(LUA % {"requests": _lua_requests(requests)})
    threads = min(2, connections)
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data = json.loads(out.strip().splitlines()[-1])
    result = Load(
        name=name,
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        errors=data["errors"],
        p50_ms=data["p50"] / 1000,
        p95_ms=data["p95"] / 1000,
        p99_ms=data["p99"] / 1000,
    )
    print(
        f"{name}: {result.throughput:,.0f} req/s, p50 {result.p50_ms:.0f} ms, "
        f"p95 {result.p95_ms:.0f} ms, p99 {result.p99_ms:.0f} ms, errors {result.errors}"
    )
    return result


def timed_get(url: str, cookie: str) -> float:
    started = time.perf_counter()
    req = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
    with urllib.request.urlopen(req, timeout=300) as response:  # noqa: S310
        response.read()
        assert response.status == 200
    return time.perf_counter() - started


# --- import and export (in the bench process, as the task worker runs them) ----------------------


#: Rows of the bulk-import figure: its rate is bound by the duplicate check against the register,
#: not by the file's length.
IMPORT_ROWS = {"quick": 2_000, "full": 10_000}

IMPORT_HEADERS = [
    "_uuid",
    "household",
    "relationship",
    "first_name",
    "last_name",
    "dob",
    "sex",
    "nationality",
    "programme",
    "category",
]


def import_file(rows: int, seed: int) -> bytes:
    """A KoBoToolbox-like CSV: households of one to three people with plausible names."""
    import csv
    import io

    rng = random.Random(seed)
    given = ["Amina", "Bola", "Chidi", "Dawit", "Efua", "Fatou", "Hawa", "Idris", "Kofi", "Musa"]
    family = ["Bangura", "Camara", "Diallo", "Fofana", "Jallow", "Keita", "Mensah", "Okafor"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(IMPORT_HEADERS)
    n = 0
    while n < rows:
        household = f"hh-{seed}-{n}"
        name = rng.choice(family) + rng.choice(["", "-Ba", "-Sy", "e", "a", "ou"]) + str(n)
        for position in range(min(rng.choice([1, 1, 2, 3]), rows - n)):
            born = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(20000))
            writer.writerow(
                [
                    f"kobo-{seed}-{n}",
                    household,
                    "principal" if position == 0 else "child",
                    rng.choice(given) + chr(65 + position),
                    name,
                    born.isoformat(),
                    rng.choice(["female", "male"]),
                    "NG",
                    "AVRR",
                    "stranded",
                ]
            )
            n += 1
    return out.getvalue().encode()


def bench_import(user: User, rows: int) -> dict[str, float]:
    from wayhome.imports import engine
    from wayhome.imports.mapping import guess_mapping
    from wayhome.imports.models import ImportRun
    from wayhome.imports.services import import_run_create, import_source_create

    office = Office.objects.filter(kind=Office.Kind.HOST).order_by("code").first()
    assert office is not None
    mapping = guess_mapping(IMPORT_HEADERS)
    source = import_source_create(
        actor=user, office=office, name=f"bench {time.time_ns()}", mapping=mapping
    )
    content = import_file(rows, seed=int(time.time()))
    figures: dict[str, float] = {}
    for dry in (True, False):
        run = import_run_create(
            actor=user, source=source, content=content, file_name="bench.csv", dry_run=dry
        )
        started = time.perf_counter()
        engine.import_run_execute(run.pk)
        seconds = time.perf_counter() - started
        run = ImportRun.objects.get(pk=run.pk)
        key = "dry" if dry else "real"
        figures[f"{key}_rate"] = rows / seconds
        figures[f"{key}_s"] = seconds
        print(
            f"import ({key} run) of {rows} rows: {seconds:.1f} s, {rows / seconds:,.0f} rows/s, "
            f"status {run.status}"
        )
    return figures


EXPORT_CHILD = """
import os, sys, time
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from wayhome.exports import engine
started = time.perf_counter()
export = engine.export_execute(sys.argv[1])
seconds = time.perf_counter() - started
# VmHWM: this process's own peak (ru_maxrss would count the parent's pages copied at fork).
status = open("/proc/self/status").read()
peak = int(next(l for l in status.splitlines() if l.startswith("VmHWM")).split()[1]) / 1024
print(f"{export.status} {export.done} {export.size} {seconds:.3f} {peak:.1f}")
"""


def bench_export(user: User, format: str) -> dict[str, float]:
    """One export of every case the user sees, in its own process (its peak memory is the
    figure), as the task worker runs it."""
    from wayhome.exports.services import export_create

    export = export_create(actor=user, kind="cases", format=format, filters={})
    out = subprocess.run(
        [sys.executable, "-c", EXPORT_CHILD, str(export.pk)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    status, rows, size, seconds, peak = out[-5:]
    print(
        f"export {format}: {status}, {int(rows):,} rows, {int(size) / 1e6:.0f} MB in "
        f"{float(seconds):.1f} s, peak memory {float(peak):.0f} MB"
    )
    assert status == "done", out
    return {"rows": int(rows), "mb": int(size) / 1e6, "s": float(seconds), "peak": float(peak)}


# --- the run --------------------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (pg,) = cursor.fetchone()
    return (
        f"{cpu}, {os.cpu_count()} vCPUs, {mem:.0f} GB RAM, Python {platform.python_version()}, "
        f"PostgreSQL {pg} (shared_buffers 1 GB, fsync on), gunicorn with config/gunicorn.conf.py "
        f"(defaults: workers min(2 x CPUs + 1, 8), 4 threads), wrk with {CONNECTIONS} connections"
    )


def run(cases: int, mode: str) -> None:
    data = prepare(cases)
    print(f"data: {data}")
    user = bench_user()
    _token, secret = token_issue(actor=None, user=user, name="bench")
    cookie = session_cookie(user)
    api = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    ui = {"Cookie": cookie}
    rng = random.Random(1)
    people = sample_people(200)
    names = [f"{p.given_name} {p.family_name}" for p in people]

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        server = start_server(tmp, port)
        try:
            loads = {
                "bare": load(
                    "Bare Django JSON view (signed in)",
                    base,
                    [{"method": "GET", "path": "/bench/bare", "headers": ui}],
                    tmp,
                ),
                "ui_list": load(
                    "Case list page, filtered by status, pages 1-5",
                    base,
                    [
                        {"method": "GET", "path": f"/cases/?status={s}&page={p}", "headers": ui}
                        for s in STATUSES
                        for p in range(1, 6)
                    ],
                    tmp,
                ),
                "api_list": load(
                    "Case list API, filtered by status, 50 a page, offsets 0-200",
                    base,
                    [
                        {
                            "method": "GET",
                            "path": f"/api/v1/cases?status={s}&limit=50&offset={50 * p}",
                            "headers": api,
                        }
                        for s in STATUSES
                        for p in range(5)
                    ],
                    tmp,
                ),
                "ui_search": load(
                    "Case search page by full name (POST)",
                    base,
                    [
                        {
                            "method": "POST",
                            "path": "/cases/",
                            "headers": ui | {"Content-Type": "application/x-www-form-urlencoded"},
                            "body": urllib.parse.urlencode(
                                {"q": name, "csrfmiddlewaretoken": CSRF}
                            ),
                        }
                        for name in names[:50]
                    ],
                    tmp,
                ),
                "api_search": load(
                    "People search API by full name",
                    base,
                    [
                        {
                            "method": "POST",
                            "path": "/api/v1/people/search?limit=50",
                            "headers": api,
                            "body": json.dumps({"q": name}),
                        }
                        for name in names[:50]
                    ],
                    tmp,
                ),
                "duplicates": load(
                    "Duplicate check of a registration (a name mistyped), one client",
                    base,
                    [
                        {
                            "method": "POST",
                            "path": "/api/v1/people/duplicates",
                            "headers": api,
                            "body": json.dumps(
                                {
                                    "given_name": typo(p.given_name, rng),
                                    "family_name": p.family_name,
                                    "date_of_birth": p.date_of_birth.isoformat()
                                    if p.date_of_birth
                                    else None,
                                    "sex": p.sex or "unknown",
                                    "nationality": p.nationality or "",
                                }
                            ),
                        }
                        for p in people[:100]
                    ],
                    tmp,
                    connections=1,
                ),
            }
            # After the loads: every worker has served requests, so "cold" is the figures'
            # cache (empty), not a worker's first request (imports, templates).
            dashboard_cold = timed_get(f"{base}/reporting/", cookie)
            warm = [timed_get(f"{base}/reporting/", cookie) for _ in range(20)][10:]
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    extra = {
        "import": bench_import(user, IMPORT_ROWS[mode]),
        "csv": bench_export(user, "csv"),
        "xlsx": bench_export(user, "xlsx"),
    }
    write_results(mode, data, loads, dashboard_cold, warm, extra)


def write_results(
    mode: str,
    data: dict[str, Any],
    loads: dict[str, Load],
    cold: float,
    warm: list[float],
    extra: dict[str, dict[str, float]],
) -> None:
    bare = loads["bare"]
    lines = [
        f"## At scale: {data['cases']:,} cases, {data['people']:,} people "
        f"(`make bench{'' if mode == 'quick' else '-full'}`, bench/scale.py), "
        f"{datetime.datetime.now(datetime.UTC).date().isoformat()}",
        "",
        f"Machine: {machine()}.",
        "",
    ]
    if data.get("generated"):
        rate = (data["cases"]) / data["generation_s"]
        lines += [
            f"Synthetic data (`generate_synthetic`, with as many people again without a case): "
            f"{data['generation_s']:.0f} s, {rate:,.0f} cases/s overall (target: >= 5,000 "
            f"cases/s).",
            "",
        ]
    lines += [
        "| Figure | Throughput | p50 | p95 | p99 | Errors | Throughput / bare view's | Target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    targets = {
        "bare": "the limit",
        "ui_list": ">= 30 %, p95 <= 150 ms",
        "api_list": ">= 30 %, p95 <= 150 ms",
        "ui_search": ">= 30 %, p95 <= 150 ms",
        "api_search": ">= 30 %, p95 <= 150 ms",
        "duplicates": "p95 <= 50 ms",
    }
    for key, result in loads.items():
        ratio = result.throughput / bare.throughput if bare.throughput else 0.0
        lines.append(
            f"| {result.name} | {result.throughput:,.0f} req/s | {result.p50_ms:.0f} ms | "
            f"{result.p95_ms:.0f} ms | {result.p99_ms:.0f} ms | {result.errors} | "
            f"{ratio:.0%} | {targets[key]} |"
        )
    lines += [
        "",
        f"Statistics dashboard (`/reporting/`, every office): first request {cold * 1000:,.0f} ms "
        f"(target <= 1 s); later requests median {statistics.median(warm) * 1000:,.0f} ms, "
        f"slowest {max(warm) * 1000:,.0f} ms (target <= 100 ms).",
        "",
        f"Bulk import of {IMPORT_ROWS[mode]:,} rows (households of one to three, in the bench "
        f"process as the task worker runs it): dry run "
        f"{extra['import']['dry_rate']:,.0f} validated rows/s, real run "
        f"{extra['import']['real_rate']:,.0f} rows/s (target >= 2,000 rows/s).",
        "",
        "| Export of every case (the task worker, in its own process) | Rows | Size | Time | "
        "Rows/s | Peak memory (target <= 300 MB) |",
        "|---|---|---|---|---|---|",
        *(
            f"| {fmt.upper()} | {extra[fmt]['rows']:,.0f} | {extra[fmt]['mb']:,.0f} MB | "
            f"{extra[fmt]['s']:,.1f} s | {extra[fmt]['rows'] / extra[fmt]['s']:,.0f} | "
            f"{extra[fmt]['peak']:,.0f} MB |"
            for fmt in ("csv", "xlsx")
        ),
        "",
    ]
    start, end = f"<!-- scale:{mode}:start -->", f"<!-- scale:{mode}:end -->"
    block = "\n".join([start, *lines, end])
    text = RESULTS.read_text()
    if start in text:
        text = re.sub(
            re.escape(start) + r".*?" + re.escape(end), lambda _m: block, text, flags=re.S
        )
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS.write_text(text)
    print(f"written to {RESULTS.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--mode", choices=["quick", "full"], default="quick")
    args = parser.parse_args()
    run(args.cases, args.mode)


if __name__ == "__main__":
    main()
