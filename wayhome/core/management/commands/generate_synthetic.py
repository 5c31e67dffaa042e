"""``manage.py generate_synthetic --cases N [--seed S]``: synthetic cases for benchmarks.

Never on a real database: refused when ``WAYHOME_PRODUCTION`` is set (unless ``--i-know``).
See ``wayhome/core/synthetic.py`` for what is made and how.
"""

from __future__ import annotations

import datetime
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from wayhome.core import synthetic


class Command(BaseCommand):
    help = "Write synthetic AVRR cases (people, families, workflow, movements, assistance, "
    help += "surveys, reporting facts) for benchmarks. Never on a production database."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--cases", type=int, required=True, help="number of cases")
        parser.add_argument("--seed", type=int, default=1, help="the same seed, the same data")
        parser.add_argument("--batch", type=int, default=1000, help="cases per transaction")
        parser.add_argument("--office", default="", help="put every case in this office (code)")
        parser.add_argument(
            "--people-extra", type=int, default=0, help="people without a case, in addition"
        )
        parser.add_argument(
            "--until",
            type=datetime.date.fromisoformat,
            default=None,
            help="last day of the data, YYYY-MM-DD (default: today)",
        )
        parser.add_argument("--years", type=int, default=6, help="years of registrations")
        parser.add_argument(
            "--workers", type=int, default=0, help="writer processes (default: 2 on PostgreSQL)"
        )
        parser.add_argument(
            "--i-know",
            action="store_true",
            help="run even though WAYHOME_PRODUCTION is set (never on real data)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["cases"] < 0 or options["people_extra"] < 0:
            raise CommandError("--cases and --people-extra cannot be negative")
        if not options["i_know"]:
            try:
                synthetic.refuse_in_production()
            except synthetic.ProductionRefused as exc:
                raise CommandError(f"{exc} (add --i-know to override)") from None
        opts = synthetic.Options(
            cases=options["cases"],
            seed=options["seed"],
            batch=options["batch"],
            office=options["office"],
            people_extra=options["people_extra"],
            until=options["until"],
            years=options["years"],
            workers=options["workers"],
        )
        quiet = options["verbosity"] < 1
        bars = {
            "cases": tqdm(total=opts.cases, unit="case", disable=quiet or not opts.cases),
            "people": tqdm(
                total=opts.people_extra, unit="person", disable=quiet or not opts.people_extra
            ),
        }

        def progress(kind: str, n: int) -> None:
            bars[kind].update(n)

        try:
            result = synthetic.generate(
                opts,
                progress=progress,
                allow_production=options["i_know"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        finally:
            for bar in bars.values():
                bar.close()
        self.stdout.write(
            f"{result.cases} cases and {result.people} people in {result.seconds:.1f} s; "
            f"cases written at {result.rate:,.0f} cases/s ({result.case_seconds:.1f} s)"
        )
        if options["verbosity"] > 1:
            for label, n in sorted(result.rows.items()):
                self.stdout.write(f"  {label}: {n}")
