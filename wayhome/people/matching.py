"""Duplicate detection: are two registrations the same person?

Registering a person first looks for records that may already exist, in every office (issue 3).
Names arrive in many scripts and spellings: ``محمد`` and ``Mohammed``, ``Алексей`` and
``Alexei``, ``ገብረመድህን`` and ``Gebremedhin``, family name first or last, with typos and missing
parts; dates of birth arrive with day and month swapped or as a year only. This module is the
engine, in plain values, with no database and no keys:

- ``normalise`` and ``skeleton`` turn a name into Latin tokens and consonant skeletons (the
  phonetic key: vowels and the spelling differences of transliteration removed), so that
  spellings of one name in any script meet.
- ``bucket_keys`` gives the blocking keys of a record: pairs of name keys, and a name key with the
  year of birth or the unordered day and month. Stored through a keyed HMAC (a blind index), these
  find candidates without decrypting the table; two records that are the same person share at
  least one key unless nearly everything about them differs.
- ``score`` compares two records and returns a value in [0, 1] with its parts, the figure the
  thresholds in settings (``DUPLICATE_THRESHOLDS``) apply to.

The quality target (recall >= 0.95 at precision >= 0.90 on a generated noisy set of 10,000
people) is measured by tests/people/test_matching_quality.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache
from itertools import combinations, pairwise

from anyascii import anyascii
from rapidfuzz.distance import JaroWinkler


class DobPrecision(StrEnum):
    EXACT = "exact"
    YEAR = "year"  # only the year is known; day and month are placeholders
    ESTIMATED = "estimated"  # the year is a guess, within a few years


@dataclass(frozen=True)
class Identity:
    """What the engine compares: every name of a person (in any script), and the rest."""

    names: Sequence[str]
    date_of_birth: date | None = None
    dob_precision: DobPrecision = DobPrecision.EXACT
    sex: str = ""  # "" when unknown
    nationalities: Sequence[str] = field(default_factory=tuple)


# Words that are not names in themselves (articles and kinship particles). They stay in the
# written name but do not count as a part of it.
_PARTICLES = frozenset(
    {"al", "el", "ul", "bin", "ben", "ibn", "bint", "abu", "ould", "wad", "de", "da", "van", "von"}
)
_ARABIC_ARTICLE = "\u0627\u0644"  # ال
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2014_.,/]+")  # spaces, hyphens and dashes
_NOT_LETTERS = re.compile(r"[^a-z]")
# Spelling differences of transliteration, applied in this order to a lower-case Latin token.
_DIGRAPHS = (
    ("shch", "s"),
    ("sch", "s"),
    ("tch", "s"),
    ("sh", "s"),
    ("ch", "s"),
    ("cz", "s"),
    ("sz", "s"),
    ("zh", "j"),
    ("kh", "k"),
    ("gh", "g"),
    ("ph", "f"),
    ("th", "t"),
    ("dh", "d"),
    ("ck", "k"),
    ("ks", "x"),
    ("ou", "u"),
)
_LETTERS = str.maketrans({"q": "k", "c": "k", "x": "k", "z": "s", "v": "f", "j": "g"})
_VOWELS = re.compile(r"[aeiouyw]")
_REPEATS = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def normalise(name: str) -> tuple[str, ...]:
    """The name as Latin lower-case tokens: transliterated, accents and punctuation removed,
    particles dropped. An empty tuple when nothing of a name remains."""
    text = unicodedata.normalize("NFKC", name)
    tokens = []
    for word in _SEPARATORS.split(text):
        if len(word) > 3 and word.startswith(_ARABIC_ARTICLE):
            word = word[len(_ARABIC_ARTICLE) :]  # الحسن is al-Hassan: the article is not a name
        token = _NOT_LETTERS.sub("", anyascii(word).casefold())
        if token and token not in _PARTICLES:
            tokens.append(token)
    return tuple(tokens)


@lru_cache(maxsize=65536)
def skeleton(token: str) -> str:
    """The consonant skeleton of a Latin token: what spellings of one name have in common.

    Scripts that do not write short vowels (Arabic) and transliterations that differ in vowels
    (Mohammed, Muhammad, Mohamed; Yohannes, Yohanes) meet here, as do ``kh``/``k``, ``ph``/``f``,
    doubled letters and a final ``h``.
    """
    word = token
    if word.endswith(("ow", "ew")):
        word = word[:-1] + "v"  # German-style transliteration of Russian: Smirnow, Lebedew
    for digraph, replacement in _DIGRAPHS:
        word = word.replace(digraph, replacement)
    word = word.translate(_LETTERS)
    word = _VOWELS.sub("", word)
    word = _REPEATS.sub(r"\1", word)
    if len(word) > 2 and word.endswith("h"):
        word = word[:-1]
    return word


def _article_free(key: str, token: str) -> str | None:
    """``alhassan`` and ``الحسن`` (lhsn) also answer to ``hsn``: the article written as one word."""
    if len(key) > 3 and key.startswith("l") and (token.startswith(("al", "el", "l"))):
        return key[1:]
    return None


def name_keys(tokens: Sequence[str]) -> set[str]:
    """The phonetic keys of a name: a skeleton per token, per article-free token, and per two
    adjacent tokens written together (``Abd Allah`` and ``Abdullah``)."""
    keys: set[str] = set()
    for token in tokens:
        key = skeleton(token)
        if len(key) >= 2:
            keys.add(key)
            bare = _article_free(key, token)
            if bare:
                keys.add(bare)
        elif len(token) >= 2:
            keys.add(f"={token}")  # Awa, Ba: too few consonants for a skeleton; the word itself
    for first, second in pairwise(tokens):
        joined = skeleton(first + second)
        if len(joined) >= 3:
            keys.add(joined)
    return keys


def identity_tokens(identity: Identity) -> list[tuple[str, ...]]:
    """Every written form of the person's names as token tuples, the empty ones left out."""
    forms = [normalise(name) for name in identity.names]
    return [form for form in forms if form]


def bucket_keys(identity: Identity) -> set[str]:
    """The blocking keys of a record (plain; the caller stores them as a blind index).

    Two records are candidates when they share a key: two name keys together, or one name key and
    the year of birth, or one name key and the unordered day and month (so that a day/month swap
    still meets), or an exact date of birth. A typo that spoils one name key leaves the others.
    """
    keys: set[str] = set()
    name_key_set: set[str] = set()
    for tokens in identity_tokens(identity):
        name_key_set |= name_keys(tokens)
    for first, second in combinations(sorted(name_key_set), 2):
        keys.add(f"n2:{first}|{second}")
    dob = identity.date_of_birth
    if dob is not None:
        day_month = "-".join(sorted((f"{dob.day:02d}", f"{dob.month:02d}")))
        if identity.dob_precision == DobPrecision.EXACT:
            # Every name misspelt but the date exact: the date (either order) meets on its own.
            keys.add(f"d:{dob.year}|{day_month}")
        for key in name_key_set:
            keys.add(f"ny:{key}|{dob.year}")
            if identity.dob_precision == DobPrecision.EXACT:
                keys.add(f"nd:{key}|{day_month}")
    return keys


# Scoring -------------------------------------------------------------------------------------


def _bare(token: str) -> str:
    """``alhassan`` without its article (the Latin spelling that glues it to the name)."""
    return token[2:] if len(token) > 5 and token.startswith(("al", "el")) else token


def token_similarity(a: str, b: str) -> float:
    """How alike two name tokens are, in [0, 1]: the better of the spelling and the skeleton,
    with or without an article glued to the front."""
    if a == b:
        return 1.0
    bare_a, bare_b = _bare(a), _bare(b)
    if (bare_a, bare_b) != (a, b):
        return max(_token_similarity(a, b), _token_similarity(bare_a, bare_b))
    return _token_similarity(a, b)


def _token_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    spelled = JaroWinkler.normalized_similarity(a, b)
    key_a, key_b = skeleton(a), skeleton(b)
    if key_a and key_a == key_b:
        return max(spelled, 0.95)
    if key_a and key_b:
        return max(spelled, 0.92 * JaroWinkler.normalized_similarity(key_a, key_b))
    return spelled


def _aligned(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Each token of the shorter name matched to a different token of the longer one, in any
    order (family name first or last), greedily by similarity; a missing part costs a little."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    pairs = sorted(
        ((token_similarity(s, t), i, j) for i, s in enumerate(short) for j, t in enumerate(long_)),
        reverse=True,
    )
    used_short: set[int] = set()
    used_long: set[int] = set()
    matched: list[float] = []
    for similarity, i, j in pairs:
        if i in used_short or j in used_long:
            continue
        used_short.add(i)
        used_long.add(j)
        matched.append(similarity)
        if len(used_short) == len(short):
            break
    # The weakest part counts as much as all of them: one name in common is not a match.
    agreement = (sum(matched) / len(matched) + min(matched)) / 2
    missing = len(long_) - len(short)
    return agreement * (1.0 - 0.04 * missing) if len(short) >= 2 else agreement * 0.85


def _joined(tokens: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The tokens with a short word written together with its neighbour (``abd allah``,
    ``bd llh`` as ``abdallah``): the ways a compound name is split or not."""
    variants = []
    for i in range(len(tokens) - 1):
        if min(len(tokens[i]), len(tokens[i + 1])) <= 3:
            variants.append((*tokens[:i], tokens[i] + tokens[i + 1], *tokens[i + 2 :]))
    return variants


# Agreement reached only by joining two words counts a little less than agreement as written.
_JOINED_DISCOUNT = 0.95


def name_similarity(a: Identity, b: Identity) -> float:
    """The best agreement between any written form of one name and any of the other."""
    best = 0.0
    for form_a in identity_tokens(a):
        for form_b in identity_tokens(b):
            best = max(best, _aligned(form_a, form_b))
            # Join words only on the side with more of them: that is where a split name is.
            longer, other = (form_a, form_b) if len(form_a) > len(form_b) else (form_b, form_a)
            if len(longer) > len(other):
                for joined in _joined(longer):
                    best = max(best, _JOINED_DISCOUNT * _aligned(joined, other))
    return best


def dob_similarity(a: Identity, b: Identity) -> float | None:
    """1 for the same date; less for a day/month swap, a year-only or estimated date; 0 for
    different dates; None when either is unknown (then the date says nothing)."""
    if a.date_of_birth is None or b.date_of_birth is None:
        return None
    x, y = a.date_of_birth, b.date_of_birth
    exact = DobPrecision.EXACT
    if a.dob_precision == exact and b.dob_precision == exact:
        if x == y:
            return 1.0
        if x.year == y.year and x.day == y.month and x.month == y.day:
            return 0.85
        if x.year == y.year and x.month == y.month:
            return 0.35  # a typo in the day
        if x.month == y.month and x.day == y.day and abs(x.year - y.year) == 1:
            return 0.35  # a typo in the year
        return 0.0
    estimated = DobPrecision.ESTIMATED in (a.dob_precision, b.dob_precision)
    gap = abs(x.year - y.year)
    if gap == 0:
        return 0.8
    if estimated and gap <= 3:
        return 0.6 - 0.1 * gap
    return 0.0


@dataclass(frozen=True)
class Score:
    total: float
    name: float
    dob: float | None
    sex_agrees: bool | None
    nationality_agrees: bool | None


# At or above this score a record is shown as a likely duplicate; settings may move it
# (``DUPLICATE_THRESHOLD``). 0.8 gives recall 0.996 at precision 0.985 on the generated set.
DEFAULT_THRESHOLD = 0.8

# The weights of the parts; the name must be close on its own for a match at all.
NAME_WEIGHT = 0.6
DOB_WEIGHT = 0.4
NAME_FLOOR = 0.75


def score(a: Identity, b: Identity) -> Score:
    """How likely it is that ``a`` and ``b`` are the same person, in [0, 1].

    Names count most; the date of birth confirms or refutes; a known sex that differs, or
    nationalities with nothing in common, lower the score (a person may hold two nationalities,
    so one in common is agreement).
    """
    name = name_similarity(a, b)
    dob = dob_similarity(a, b)
    sex_agrees = (a.sex == b.sex) if a.sex and b.sex else None
    nationalities_a, nationalities_b = set(a.nationalities), set(b.nationalities)
    nationality_agrees = (
        bool(nationalities_a & nationalities_b) if nationalities_a and nationalities_b else None
    )
    if name < NAME_FLOOR:
        total = name * 0.5
    else:
        # An unknown date neither confirms nor refutes: it counts as a middling agreement.
        total = NAME_WEIGHT * name + DOB_WEIGHT * (0.6 if dob is None else dob)
    if sex_agrees is False:
        total -= 0.25
    if nationality_agrees is False:
        total -= 0.1
    return Score(
        total=max(0.0, min(1.0, total)),
        name=name,
        dob=dob,
        sex_agrees=sex_agrees,
        nationality_agrees=nationality_agrees,
    )


def candidate_pairs(
    keys_by_record: Iterable[tuple[int, set[str]]], *, max_bucket: int = 400
) -> set[tuple[int, int]]:
    """Pairs of records sharing a blocking key (for a batch evaluation; in the application the
    index answers one record's keys). Buckets larger than ``max_bucket`` are too common to tell
    anything (a first name with a year) and are skipped; the other keys of a record still meet."""
    buckets: dict[str, list[int]] = {}
    for record, keys in keys_by_record:
        for key in keys:
            buckets.setdefault(key, []).append(record)
    pairs: set[tuple[int, int]] = set()
    for members in buckets.values():
        if len(members) < 2 or len(members) > max_bucket:
            continue
        for x, y in combinations(sorted(members), 2):
            pairs.add((x, y))
    return pairs
