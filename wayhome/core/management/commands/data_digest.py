"""``manage.py data_digest``: one line per table with its row count and a digest of its content,
personal values decrypted, then a digest of them all.

For restore drills: run it on the production database (or a snapshot) and on the restored copy;
the last lines must be equal. Decrypting proves that the restored data is readable with the keys
kept apart from the backup (an encrypted value restored under the wrong key fails here, where a
digest of the raw bytes would not notice). Nothing personal is printed: only counts and SHA-256
digests. Rows are read in primary-key order, in batches (``--batch``), so memory stays flat.
"""

from __future__ import annotations

import hashlib
from argparse import ArgumentParser
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models


def _value(field: models.Field[Any, Any], obj: models.Model) -> str:
    value = field.value_from_object(obj)
    if isinstance(value, bytes | memoryview):
        return hashlib.sha256(bytes(value)).hexdigest()
    return repr(value)


def table_digests(batch: int = 2000) -> Iterator[tuple[str, int, str]]:
    """(model label, rows, SHA-256 of its rows in key order) for every concrete model."""
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = sorted(model._meta.concrete_fields, key=lambda f: f.attname)
        hasher = hashlib.sha256()
        rows = 0
        for obj in model._default_manager.order_by("pk").iterator(chunk_size=batch):
            rows += 1
            hasher.update("\x1f".join(_value(field, obj) for field in fields).encode())
            hasher.update(b"\x1e")
        yield model._meta.label, rows, hasher.hexdigest()


class Command(BaseCommand):
    help = "Prints the row count and content digest of every table (personal values decrypted)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--batch", type=int, default=2000, help="rows read at a time")

    def handle(self, *args: Any, **options: Any) -> None:
        total = hashlib.sha256()
        for label, rows, digest in table_digests(options["batch"]):
            line = f"{label} {rows} {digest}"
            total.update(line.encode() + b"\n")
            self.stdout.write(line)
        self.stdout.write(f"ALL {total.hexdigest()}")
