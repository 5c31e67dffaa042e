"""Numbered sequences that stay unique under concurrency: case references and the like.

``next_value("case:BER:2026")`` returns 1, 2, 3... for that scope. The counter row is created on
first use (``INSERT ... ON CONFLICT DO NOTHING``) and incremented with one ``UPDATE``, which
takes the row lock: concurrent callers wait for each other only within one scope, never read the
same value, and a caller whose transaction rolls back gives its number back. Numbers may still
have gaps (a number handed out and then not used by the caller's own logic); what is guaranteed
is that no number is given twice, which is what a reference needs.

Call it inside the transaction that uses the number, so that the number and the record it names
are committed together.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from wayhome.core.models import Counter


def next_value(scope: str) -> int:
    with transaction.atomic():
        Counter.objects.bulk_create([Counter(scope=scope)], ignore_conflicts=True)
        Counter.objects.filter(scope=scope).update(value=F("value") + 1)
        return Counter.objects.filter(scope=scope).values_list("value", flat=True).get()
