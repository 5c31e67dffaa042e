"""Duplicate detection on a generated noisy set of 10,000 registrations (issue 3, Done when):
recall >= 0.95 at precision >= 0.90, candidates from blocking keys only."""

from __future__ import annotations

from itertools import combinations

from tests.people.noisy import generate
from wayhome.people.matching import DEFAULT_THRESHOLD, bucket_keys, candidate_pairs, score

RECORDS = 10_000


def _scripts(names: str) -> set[str]:
    found = set()
    for char in names:
        if "\u0600" <= char <= "\u06ff":
            found.add("arabic")
        elif "\u0400" <= char <= "\u04ff":
            found.add("cyrillic")
        elif "\u1200" <= char <= "\u137f":
            found.add("ethiopic")
    return found


def test_recall_and_precision_on_ten_thousand_noisy_registrations() -> None:
    records = generate(RECORDS)
    assert len(records) >= 10_000
    scripts = set().union(*(_scripts(" ".join(r.identity.names)) for r in records))
    assert scripts == {"arabic", "cyrillic", "ethiopic"}
    noise = {kind for r in records for kind in r.noise}
    assert {"native script", "family name first", "typo", "day and month swapped"} <= noise

    truth: set[tuple[int, int]] = set()
    members: dict[int, list[int]] = {}
    for index, record in enumerate(records):
        members.setdefault(record.person, []).append(index)
    for group in members.values():
        truth.update(combinations(group, 2))
    assert len(truth) > 3_000  # enough duplicates for the figures to mean something

    candidates = candidate_pairs((i, bucket_keys(r.identity)) for i, r in enumerate(records))
    flagged = {
        (a, b)
        for a, b in candidates
        if score(records[a].identity, records[b].identity).total >= DEFAULT_THRESHOLD
    }
    found = len(flagged & truth)
    recall = found / len(truth)
    precision = found / len(flagged)
    print(f"\nduplicates: recall {recall:.4f} precision {precision:.4f} ({len(truth)} true pairs)")
    assert recall >= 0.95, recall
    assert precision >= 0.90, precision
