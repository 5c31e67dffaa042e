"""How long the statistics dashboard takes over many returns, on PostgreSQL, against the bare
``GROUP BY`` behind it. Runs on a throwaway test database.

    WAYHOME_DATABASE_URL=postgres://postgres@127.0.0.1:55436/wayhome_bench \\
        .venv/bin/python bench/reporting.py [cases]      (default 100000; 1000000 for the record)

Builds ``cases`` cases of one person each in three host offices (people, cases and members by
``INSERT ... SELECT`` from ``generate_series``: copies of one real encrypted record, so the
tables have their real width), and their facts: 40 countries of origin (skewed), five years of
departures (one case in ten not yet departed), every programme, category, sex and age group.
Then times, as a programme manager of the three offices, through the whole request (middleware,
views, templates; Django's test client, no network):
- the dashboard (returns by month, country of origin, sex x age group, programme, category,
  vulnerability and office; cases by status; days in each status; median days to departure),
  first request ("cold": nothing cached by the application) and the best of the next 3 ("warm");
- the same with a filter on one country of origin and one year;
- one table (returns by country of origin) through the API;
- disclosure control of a 40 x 12 table (country x month) alone.
The limit is the bare SQL of the dashboard: the same GROUP BY queries, raw, one after another.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("WAYHOME_REQUIRE_MFA", "0")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from timing import best  # noqa: E402

from wayhome.accounts.models import Office, RoleGrant, User  # noqa: E402
from wayhome.accounts.permissions import Role  # noqa: E402
from wayhome.api.services import token_issue  # noqa: E402
from wayhome.cases.models import Case, CaseMember  # noqa: E402
from wayhome.people.models import Person  # noqa: E402
from wayhome.reporting.models import ReturnFact  # noqa: E402
from wayhome.reporting.tables import tabulate  # noqa: E402

COUNTRIES = [
    "NG",
    "GH",
    "SN",
    "ML",
    "GN",
    "CI",
    "CM",
    "ET",
    "ER",
    "SO",
    "SD",
    "EG",
    "MA",
    "DZ",
    "TN",
    "IQ",
    "IR",
    "AF",
    "PK",
    "BD",
    "IN",
    "LK",
    "NP",
    "GE",
    "AM",
    "AZ",
    "UA",
    "RU",
    "AL",
    "XK",
    "MK",
    "RS",
    "BA",
    "MD",
    "KZ",
    "UZ",
    "TJ",
    "KG",
    "MN",
    "VN",
]
CATEGORIES = [
    "rejected_asylum_seeker",
    "stranded",
    "irregular",
    "regular",
    "victim_of_trafficking",
    "unaccompanied_child",
    "health_needs",
    "other_vulnerable",
]
STATUSES = [
    "departed",
    "arrived",
    "reintegration_planning",
    "reintegration_assistance",
    "monitoring",
    "closed",
]
AGES = ["0-4", "5-11", "12-17", "18-24", "25-59", "25-59", "25-59", "60+"]
SEXES = ["female", "male", "male", "unknown"]


def _array(values: list[str]) -> str:
    return "ARRAY[" + ",".join(f"'{value}'" for value in values) + "]"


def _copy(table: str, template_id: str, count: int, replace: dict[str, str]) -> None:
    """Insert ``count`` copies of one row of ``table``, with ``replace``'s columns computed from
    ``g`` (1..count)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "ORDER BY ordinal_position",
            [table],
        )
        columns = [row[0] for row in cursor.fetchall()]
        select = ", ".join(replace.get(column, f"t.{column}") for column in columns)
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} "  # noqa: S608
            f"FROM {table} t, generate_series(1, %s) g WHERE t.id = %s",
            [count, template_id],
        )


def build(count: int) -> tuple[User, str]:
    offices = [
        Office.objects.create(code=f"bench-{n}", name=f"Bench {n}", country=country, kind="host")
        for n, country in enumerate(("DE", "GR", "BE"))
    ]
    manager = User.objects.create(email="pm@example.org", full_name="PM")
    for office in offices:
        RoleGrant.objects.create(user=manager, office=office, role=Role.MANAGER)
    person = Person.objects.create(
        office=offices[0], given_name="Template", family_name="Person", name_index="x"
    )
    case = Case.objects.create(
        reference="TEMPLATE",
        office=offices[0],
        programme="AVRR",
        category="stranded",
        principal=person,
        destination_country="NG",
    )
    member = CaseMember.objects.create(case=case, person=person, relationship="principal")
    office_ids = _array([str(office.pk) for office in offices])
    started = time.perf_counter()
    _copy(
        "people_person",
        str(person.pk),
        count,
        {"id": "md5('p' || g)::uuid", "office_id": f"({office_ids})[1 + g %% 3]::uuid"},
    )
    _copy(
        "cases_case",
        str(case.pk),
        count,
        {
            "id": "md5('c' || g)::uuid",
            "reference": "'B-' || g",
            "principal_id": "md5('p' || g)::uuid",
            "office_id": f"({office_ids})[1 + g %% 3]::uuid",
        },
    )
    _copy(
        "cases_casemember",
        str(member.pk),
        count,
        {
            "id": "md5('m' || g)::uuid",
            "case_id": "md5('c' || g)::uuid",
            "person_id": "md5('p' || g)::uuid",
        },
    )
    # Skewed countries: the square of a uniform number picks the first ones more often.
    country = f"({_array(COUNTRIES)})[1 + floor(power(random(), 2) * {len(COUNTRIES)})::int]"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO reporting_returnfact (
                member_id, case_id, office_id, host_country, origin_country, origin_region,
                origin_area, programme, category, status, principal, travelling, sex, age_group,
                vulnerability, child, trafficking, health, funding_source, registered_on,
                applied_on, approved_on, departure_date, arrival_date, closed_on,
                days_to_departure, days_registered, days_counselling,
                days_application_submitted, days_approved, days_travel_preparation,
                days_ready_to_depart, refreshed_at)
            SELECT md5('m' || g)::uuid, md5('c' || g)::uuid, ({office_ids})[1 + g %% 3]::uuid,
                'DE', c, '', '', (ARRAY['AVR','AVRR','VHR'])[1 + g %% 3],
                ({_array(CATEGORIES)})[1 + floor(random() * 8)::int],
                CASE WHEN g %% 10 = 0 THEN 'counselling'
                     ELSE ({_array(STATUSES)})[1 + floor(random() * 6)::int] END,
                true, true, ({_array(SEXES)})[1 + floor(random() * 4)::int],
                ({_array(AGES)})[1 + floor(random() * 8)::int], 'none', false, false, false,
                'Donor ' || (g %% 4), d - 60, d - 45, d - 30,
                CASE WHEN g %% 10 = 0 THEN NULL ELSE d END,
                CASE WHEN g %% 10 = 0 THEN NULL ELSE d + 1 END, NULL,
                CASE WHEN g %% 10 = 0 THEN NULL ELSE 45 END,
                5, 10, 15, 5, 10, 5, now()
            FROM (SELECT g, {country} AS c,
                         DATE '2022-01-01' + floor(random() * 1795)::int AS d
                  FROM generate_series(1, %s) g) s
            """,  # noqa: S608
            [count],
        )
        cursor.execute("DELETE FROM reporting_stalecase")
        cursor.execute("ANALYZE")
    print(f"built {count:,} cases and facts in {time.perf_counter() - started:.0f} s")
    _token, secret = token_issue(actor=None, user=manager, name="bench")
    return manager, secret


BARE = [
    "SELECT date_trunc('month', departure_date), count(*) FROM reporting_returnfact "
    "WHERE departure_date IS NOT NULL GROUP BY 1",
    "SELECT origin_country, count(*) FROM reporting_returnfact GROUP BY 1",
    "SELECT sex, age_group, count(*) FROM reporting_returnfact GROUP BY 1, 2",
    "SELECT programme, count(*) FROM reporting_returnfact GROUP BY 1",
    "SELECT category, count(*) FROM reporting_returnfact GROUP BY 1",
    "SELECT vulnerability, count(*) FROM reporting_returnfact GROUP BY 1",
    "SELECT office_id, count(*) FROM reporting_returnfact GROUP BY 1",
    "SELECT status, count(*) FROM reporting_returnfact WHERE principal GROUP BY 1",
]


def bare_dashboard() -> None:
    with connection.cursor() as cursor:
        for sql in BARE:
            cursor.execute(sql)
            cursor.fetchall()


def timed(client: Client, url: str, **headers: str) -> tuple[float, int, int]:
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        seconds = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return seconds, len(captured), len(response.content)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    if connection.vendor != "postgresql":
        sys.exit("bench/reporting.py needs PostgreSQL (WAYHOME_DATABASE_URL)")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.REQUIRE_MFA = False
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        manager, secret = build(count)
        client = Client()
        client.force_login(manager)
        client.get("/")  # the application's own start-up is not the dashboard's
        if os.environ.get("PROFILE"):
            import cProfile
            import pstats

            client.get("/reporting/")
            profile = cProfile.Profile()
            profile.enable()
            client.get("/reporting/")
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        limit = best(bare_dashboard, runs=3)[0]
        print(f"bare SQL of the dashboard ({len(BARE)} GROUP BY): {limit * 1000:.0f} ms")
        for name, url in (
            ("dashboard", "/reporting/"),
            (
                "dashboard, one country and one year",
                "/reporting/?origin_country=NG&date_from=2024-01-01&date_to=2024-12-31",
            ),
        ):
            cold, queries, size = timed(client, url)
            warm = min(timed(client, url)[0] for _ in range(3))
            print(
                f"{name} over {count:,} cases: cold {cold * 1000:.0f} ms, warm {warm * 1000:.0f} "
                f"ms, {queries} queries, {size // 1024} KB; ratio to the bare SQL "
                f"{cold / limit:.1f}x cold, {warm / limit:.1f}x warm"
            )
        api = min(
            timed(
                client,
                "/api/v1/reporting/table?rows=origin_country",
                Authorization=f"Bearer {secret}",
            )[0]
            for _ in range(3)
        )
        print(f"API table by country of origin: {api * 1000:.0f} ms")
        table = tabulate(ReturnFact.objects.all(), "origin_country", "year")
        protect = best(lambda: table.protect(), runs=3)[0]
        print(
            f"disclosure control of a {len(table.rows)} x {len(table.cols)} table: "
            f"{protect * 1000:.1f} ms"
        )
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)


if __name__ == "__main__":
    main()
