"""How fast duplicate detection runs, and how good it is, on the generated noisy set.

    .venv/bin/python bench/matching.py [records]        (default 10000)

Prints: blocking keys per record, candidate pairs, the time to score them, recall and precision
at the default threshold, and the ratio of one score to the stack's own limit (one bare
Jaro-Winkler comparison in rapidfuzz, the cheapest thing a name comparison can cost).
No database: the engine works on plain values; the blind index adds one indexed lookup.
"""

from __future__ import annotations

import os
import sys
import time
from itertools import combinations, pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from rapidfuzz.distance import JaroWinkler

from tests.people.noisy import generate
from wayhome.people.matching import (
    DEFAULT_THRESHOLD,
    bucket_keys,
    candidate_pairs,
    score,
)


def main(count: int) -> None:
    records = generate(count)
    started = time.perf_counter()
    keys = [(i, bucket_keys(r.identity)) for i, r in enumerate(records)]
    keyed = time.perf_counter()
    pairs = candidate_pairs(keys)
    blocked = time.perf_counter()
    scores = {p: score(records[p[0]].identity, records[p[1]].identity).total for p in pairs}
    scored = time.perf_counter()

    truth: set[tuple[int, int]] = set()
    members: dict[int, list[int]] = {}
    for index, record in enumerate(records):
        members.setdefault(record.person, []).append(index)
    for group in members.values():
        truth.update(combinations(group, 2))
    flagged = {p for p, s in scores.items() if s >= DEFAULT_THRESHOLD}
    found = len(flagged & truth)

    names = [" ".join(r.identity.names) for r in records[:2000]]
    limit_start = time.perf_counter()
    bare = 0
    for a, b in pairwise(names):
        JaroWinkler.normalized_similarity(a, b)
        bare += 1
    limit = (time.perf_counter() - limit_start) / bare

    per_score = (scored - blocked) / len(pairs)
    print(f"records {len(records)}; keys per record {sum(len(k) for _, k in keys) / len(keys):.1f}")
    print(f"keys {keyed - started:.2f} s; blocking {blocked - keyed:.2f} s; pairs {len(pairs)}")
    print(f"scoring {scored - blocked:.2f} s ({per_score * 1e6:.1f} us per pair)")
    print(f"bare Jaro-Winkler {limit * 1e6:.2f} us; ratio {per_score / limit:.0f}x")
    print(f"recall {found / len(truth):.4f}; precision {found / len(flagged):.4f}")
    print(
        f"one registration against {len(records)}: ~{len(pairs) * 2 / len(records):.0f} "
        f"candidates, {len(pairs) * 2 / len(records) * per_score * 1e3:.1f} ms of scoring"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
