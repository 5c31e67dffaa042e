"""``manage.py rotate_keys``: re-encrypts every stored value under the active key.

Add the new key in front of ``WAYHOME_ENCRYPTION_KEYS`` (``new:...,old:...``), restart the
application, run this command, then remove the old key. Every model with encrypted fields is found
through the app registry. Rows are read in batches by primary key (keyset, never OFFSET); each
batch is one transaction, so an interrupted run keeps what it finished, and a new run skips the
values already under the active key. ``--dry-run`` only counts.

The blind indexes are not touched: they depend on ``WAYHOME_BLIND_INDEX_KEY``, not on these keys.
"""

from __future__ import annotations

from argparse import ArgumentParser
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from tqdm import tqdm

from wayhome.core import crypto
from wayhome.core.fields import EncryptedField, encrypted_fields

_RAW = "_rotate_raw_"


@dataclass
class Counts:
    rows: int = 0  # rows scanned
    values: int = 0  # non-null encrypted values seen
    stale: int = 0  # values not under the active key (re-encrypted, or to be in a dry run)


def encrypted_models() -> list[tuple[type[models.Model], list[EncryptedField]]]:
    """Every concrete model with encrypted fields, with those fields."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = encrypted_fields(model)
        if fields:
            found.append((model, fields))
    return sorted(found, key=lambda item: item[0]._meta.label)


def _rotate_batch(
    model: type[models.Model],
    fields: list[EncryptedField],
    *,
    after: Any,
    batch_size: int,
    dry_run: bool,
    counts: Counts,
) -> tuple[int, Any]:
    """One batch in one transaction: (rows read, last primary key)."""
    active = crypto.key_ring().active
    # The stored bytes, read as plain binary so that nothing is decrypted needlessly.
    raw = {
        _RAW + field.name: models.ExpressionWrapper(
            models.F(field.name), output_field=models.BinaryField()
        )
        for field in fields
    }
    with transaction.atomic():
        queryset = model._default_manager.order_by("pk")
        if after is not None:
            queryset = queryset.filter(pk__gt=after)
        if not dry_run:
            queryset = queryset.select_for_update()
        rows = list(queryset.annotate(**raw).values("pk", *raw)[:batch_size])
        for row in rows:
            changes: dict[str, Any] = {}
            for field in fields:
                stored = row[_RAW + field.name]
                if stored is None:
                    continue
                counts.values += 1
                try:
                    if crypto.key_id_of(stored, field.context) == active:
                        continue
                    value = field.decrypt(stored)
                except crypto.DecryptionError as exc:
                    raise CommandError(f"{model._meta.label} {row['pk']}: {exc}") from exc
                counts.stale += 1
                changes[field.name] = value
            if changes and not dry_run:
                model._default_manager.filter(pk=row["pk"]).update(**changes)
        counts.rows += len(rows)
    return len(rows), rows[-1]["pk"] if rows else after


def rotate_model(
    model: type[models.Model],
    fields: list[EncryptedField],
    *,
    batch_size: int,
    dry_run: bool,
    progress: Any = None,
) -> Counts:
    counts = Counts()
    after = None
    while True:
        read, after = _rotate_batch(
            model, fields, after=after, batch_size=batch_size, dry_run=dry_run, counts=counts
        )
        if progress is not None:
            progress.update(read)
        if read < batch_size:
            return counts


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value under the active (first) encryption key."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction")
        parser.add_argument(
            "--dry-run", action="store_true", help="count the values to re-encrypt, change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size: int = options["batch_size"]
        dry_run: bool = options["dry_run"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        active = crypto.key_ring().active
        stream = getattr(self.stderr, "_out", self.stderr)
        verb = "to re-encrypt" if dry_run else "re-encrypted"
        total_stale = 0
        for model, fields in encrypted_models():
            label = model._meta.label
            with tqdm(
                total=model._default_manager.count(),
                desc=label,
                unit="rows",
                file=stream,
                disable=options.get("verbosity", 1) == 0,
            ) as progress:
                counts = rotate_model(
                    model, fields, batch_size=batch_size, dry_run=dry_run, progress=progress
                )
            total_stale += counts.stale
            self.stdout.write(
                f"{label}: {counts.rows} rows, {counts.values} values, "
                f"{counts.stale} {verb} under key {active}"
            )
        summary = f"{total_stale} values {verb} under key {active}"
        self.stdout.write(summary if dry_run else self.style.SUCCESS(summary))
