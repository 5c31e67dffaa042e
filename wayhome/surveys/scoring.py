"""Survey instruments as data, and their scores: pure functions, no database.

An instrument version's definition is a JSON object (the format is documented in docs/surveys.md):
questions with answer options, each option mapped to a score in [0, 1] or to ``null`` (missing:
"don't know", "not applicable"); questions grouped in indicators, indicators in dimensions, with
weights; a missing-value rule; rounding; interpretation bands. Weights and scores are decimal
strings, never floats, so that a score is computed exactly (with ``Fraction``) and rounded once,
half up, at the end.

The rules, applied at every level with one threshold ``min_share``:

- an indicator's score is the plain mean of its answered questions, if they are at least
  ``min_share`` of its questions;
- a dimension's score is the weighted mean of its indicators that have a score (weights
  renormalised over them), if their weight is at least ``min_share`` of the dimension's;
- the composite is the weighted mean of the dimensions that have a score, on the same condition.

So every score lies in [0, 1], and improving one answer (choosing an option with a higher score)
never lowers any score: the answered parts and their weights stay the same and each mean is
increasing in each of its terms; rounding half up is monotone too.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"
REQUIRED_LANGUAGES = ("en", "fr", "es", "ar")
MAX_ROUNDING = 6


class DefinitionError(ValidationError):
    """Every problem of an instrument definition, found at once."""


# --- the definition -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    value: str
    label: dict[str, str]
    score: Fraction | None


@dataclass(frozen=True)
class Question:
    code: str
    indicator: str
    text: dict[str, str]
    help: dict[str, str]
    options: tuple[Option, ...]

    def option(self, value: str) -> Option | None:
        return next((option for option in self.options if option.value == value), None)


@dataclass(frozen=True)
class Indicator:
    code: str
    dimension: str
    label: dict[str, str]
    weight: Fraction


@dataclass(frozen=True)
class Dimension:
    code: str
    label: dict[str, str]
    weight: Fraction


@dataclass(frozen=True)
class Band:
    code: str
    low: Fraction
    high: Fraction
    label: dict[str, str]


@dataclass(frozen=True)
class Definition:
    code: str
    data: dict[str, Any]
    dimensions: tuple[Dimension, ...]
    indicators: tuple[Indicator, ...]
    questions: tuple[Question, ...]
    min_share: Fraction
    rounding: int
    bands: tuple[Band, ...]

    def question(self, code: str) -> Question:
        for question in self.questions:
            if question.code == code:
                return question
        raise KeyError(code)

    def text(self, texts: Mapping[str, str] | None, language: str | None = None) -> str:
        """The text in ``language`` (the current language by default), else in English."""
        if not texts:
            return ""
        language = (language or get_language() or "en").split("-")[0]
        return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")

    def band(self, code: str | None) -> Band | None:
        return next((band for band in self.bands if band.code == code), None)


class _Problems:
    """Collects the problems of a definition, each with where it was found."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.messages.append(f"{where}: {message}" if where else message)

    def texts(self, value: Any, where: str) -> dict[str, str]:
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            self.add(where, _("must be an object of language code to text"))
            return {}
        missing = [language for language in REQUIRED_LANGUAGES if not value.get(language)]
        if missing:
            self.add(where, _("has no text in %(languages)s") % {"languages": ", ".join(missing)})
        return dict(value)

    def fraction(
        self, value: Any, where: str, *, low: Fraction, high: Fraction | None = None
    ) -> Fraction | None:
        if not isinstance(value, str):
            self.add(where, _('must be a decimal number written as a string, like "0.5"'))
            return None
        try:
            number = Fraction(Decimal(value))
        except (ArithmeticError, ValueError):
            self.add(where, _("is not a number: %(value)s") % {"value": value[:40]})
            return None
        if number < low or (high is not None and number > high):
            limit = f"[{low}, {high}]" if high is not None else f">= {low}"
            self.add(where, _("must lie in %(range)s") % {"range": limit})
            return None
        return number

    def code(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value or len(value) > 60:
            self.add(where, _("needs a code (text of at most 60 characters)"))
            return ""
        return value


def _items(data: dict[str, Any], key: str, problems: _Problems) -> list[dict[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        problems.add(key, _("must be a non-empty list"))
        return []
    items = [item for item in value if isinstance(item, dict)]
    if len(items) != len(value):
        problems.add(key, _("every entry must be an object"))
    return items


def _unique(codes: list[str], where: str, problems: _Problems) -> None:
    seen: set[str] = set()
    for code in codes:
        if code and code in seen:
            problems.add(where, _("the code %(code)s is used twice") % {"code": code})
        seen.add(code)


def _dimensions(data: dict[str, Any], problems: _Problems) -> tuple[Dimension, ...]:
    found = []
    for n, item in enumerate(_items(data, "dimensions", problems), 1):
        where = f"dimensions[{n}]"
        weight = problems.fraction(item.get("weight"), f"{where}.weight", low=Fraction(0))
        found.append(
            Dimension(
                code=problems.code(item.get("code"), f"{where}.code"),
                label=problems.texts(item.get("label"), f"{where}.label"),
                weight=weight if weight is not None else Fraction(0),
            )
        )
    _unique([d.code for d in found], "dimensions", problems)
    if found and sum(d.weight for d in found) <= 0:
        problems.add("dimensions", _("the weights must not all be zero"))
    return tuple(found)


def _indicators(
    data: dict[str, Any], dimensions: set[str], problems: _Problems
) -> tuple[Indicator, ...]:
    found = []
    for n, item in enumerate(_items(data, "indicators", problems), 1):
        where = f"indicators[{n}]"
        dimension = item.get("dimension")
        if dimension not in dimensions:
            problems.add(f"{where}.dimension", _("is not one of the dimensions"))
        weight = problems.fraction(item.get("weight"), f"{where}.weight", low=Fraction(0))
        found.append(
            Indicator(
                code=problems.code(item.get("code"), f"{where}.code"),
                dimension=str(dimension),
                label=problems.texts(item.get("label"), f"{where}.label"),
                weight=weight if weight is not None else Fraction(0),
            )
        )
    _unique([i.code for i in found], "indicators", problems)
    for dimension in dimensions:
        weights = [i.weight for i in found if i.dimension == dimension]
        if not weights:
            problems.add("indicators", _("the dimension %(code)s has none") % {"code": dimension})
        elif sum(weights) <= 0:
            problems.add(
                "indicators",
                _("the weights in the dimension %(code)s are all zero") % {"code": dimension},
            )
    return tuple(found)


def _options(item: dict[str, Any], where: str, problems: _Problems) -> tuple[Option, ...]:
    raw = item.get("options")
    if not isinstance(raw, list) or not raw:
        problems.add(f"{where}.options", _("must be a non-empty list"))
        return ()
    found = []
    for m, option in enumerate(raw, 1):
        at = f"{where}.options[{m}]"
        if not isinstance(option, dict):
            problems.add(at, _("must be an object"))
            continue
        score = option.get("score")
        found.append(
            Option(
                value=problems.code(option.get("value"), f"{at}.value"),
                label=problems.texts(option.get("label"), f"{at}.label"),
                score=None
                if score is None
                else problems.fraction(score, f"{at}.score", low=Fraction(0), high=Fraction(1)),
            )
        )
    _unique([o.value for o in found], f"{where}.options", problems)
    if found and all(o.score is None for o in found):
        problems.add(f"{where}.options", _("no option has a score"))
    return tuple(found)


def _questions(
    data: dict[str, Any], indicators: set[str], problems: _Problems
) -> tuple[Question, ...]:
    found = []
    for n, item in enumerate(_items(data, "questions", problems), 1):
        where = f"questions[{n}]"
        indicator = item.get("indicator")
        if indicator not in indicators:
            problems.add(f"{where}.indicator", _("is not one of the indicators"))
        found.append(
            Question(
                code=problems.code(item.get("code"), f"{where}.code"),
                indicator=str(indicator),
                text=problems.texts(item.get("text"), f"{where}.text"),
                help=problems.texts(item["help"], f"{where}.help") if item.get("help") else {},
                options=_options(item, where, problems),
            )
        )
    _unique([q.code for q in found], "questions", problems)
    for indicator in indicators:
        if not any(q.indicator == indicator for q in found):
            problems.add("questions", _("the indicator %(code)s has none") % {"code": indicator})
    return tuple(found)


def _bands(data: dict[str, Any], problems: _Problems) -> tuple[Band, ...]:
    found = []
    for n, item in enumerate(_items(data, "bands", problems), 1):
        where = f"bands[{n}]"
        low = problems.fraction(
            item.get("from"), f"{where}.from", low=Fraction(0), high=Fraction(1)
        )
        high = problems.fraction(item.get("to"), f"{where}.to", low=Fraction(0), high=Fraction(1))
        if low is not None and high is not None and low >= high:
            problems.add(where, _('"from" must be below "to"'))
        found.append(
            Band(
                code=problems.code(item.get("code"), f"{where}.code"),
                low=low if low is not None else Fraction(0),
                high=high if high is not None else Fraction(0),
                label=problems.texts(item.get("label"), f"{where}.label"),
            )
        )
    _unique([b.code for b in found], "bands", problems)
    ordered = sorted(found, key=lambda band: band.low)
    if (ordered and (ordered[0].low != 0 or ordered[-1].high != 1)) or any(
        a.high != b.low for a, b in itertools.pairwise(ordered)
    ):
        problems.add("bands", _("must cover 0 to 1 without gaps or overlaps"))
    return tuple(ordered)


def parse(data: Any) -> Definition:
    """The definition in ``data``, checked; ``DefinitionError`` lists every problem found."""
    problems = _Problems()
    if not isinstance(data, dict):
        raise DefinitionError([_("The definition must be a JSON object.")], code="definition")
    code = problems.code(data.get("code"), "code")
    problems.texts(data.get("title"), "title")
    dimensions = _dimensions(data, problems)
    indicators = _indicators(data, {d.code for d in dimensions if d.code}, problems)
    questions = _questions(data, {i.code for i in indicators if i.code}, problems)
    missing = data.get("missing")
    min_share = problems.fraction(
        missing.get("min_share") if isinstance(missing, dict) else None,
        "missing.min_share",
        low=Fraction(0),
        high=Fraction(1),
    )
    raw_rounding = data.get("rounding")
    rounding = 2
    if (
        isinstance(raw_rounding, int)
        and not isinstance(raw_rounding, bool)
        and 0 <= raw_rounding <= MAX_ROUNDING
    ):
        rounding = raw_rounding
    else:
        problems.add(
            "rounding", _("must be a whole number from 0 to %(max)s") % {"max": MAX_ROUNDING}
        )
    bands = _bands(data, problems)
    if problems.messages:
        raise DefinitionError(problems.messages, code="definition")
    return Definition(
        code=code,
        data=data,
        dimensions=dimensions,
        indicators=indicators,
        questions=questions,
        min_share=min_share if min_share is not None else Fraction(1, 2),
        rounding=rounding,
        bands=bands,
    )


# --- answers and scores ---------------------------------------------------------------------------


def clean_answers(definition: Definition, answers: Mapping[str, Any]) -> dict[str, str]:
    """The answers with empty ones dropped; every code must be a question and every value one of
    its options (``ValidationError`` naming each question wrong)."""
    cleaned: dict[str, str] = {}
    errors: dict[str, ValidationError] = {}
    for code, value in answers.items():
        if value in (None, ""):
            continue
        try:
            question = definition.question(str(code))
        except KeyError:
            errors[str(code)[:60]] = ValidationError(
                _("There is no such question in this survey."), code="unknown_question"
            )
            continue
        if not isinstance(value, str) or question.option(value) is None:
            errors[question.code] = ValidationError(
                _("Choose one of the answers offered."), code="invalid_answer"
            )
            continue
        cleaned[question.code] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


@dataclass(frozen=True)
class Scores:
    dimensions: dict[str, Decimal | None]
    composite: Decimal | None
    indicators: dict[str, Decimal | None]
    band: str | None
    answered: int
    questions: int

    def as_json(self) -> dict[str, Any]:
        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "dimensions": {code: text(value) for code, value in self.dimensions.items()},
            "composite": text(self.composite),
            "indicators": {code: text(value) for code, value in self.indicators.items()},
            "band": self.band,
            "answered": self.answered,
            "questions": self.questions,
        }


def _weighted_mean(
    parts: list[tuple[Fraction | None, Fraction]], min_share: Fraction
) -> Fraction | None:
    """The mean of the parts that have a value, weighted and renormalised, if their weight is at
    least ``min_share`` of all the weight; else None (missing)."""
    total = sum((weight for _value, weight in parts), Fraction(0))
    present = [(value, weight) for value, weight in parts if value is not None]
    present_weight = sum((weight for _value, weight in present), Fraction(0))
    if total <= 0 or present_weight <= 0 or present_weight < min_share * total:
        return None
    return sum((value * weight for value, weight in present), Fraction(0)) / present_weight


def _round(value: Fraction | None, places: int) -> Decimal | None:
    """``value`` rounded half up to ``places`` decimals, decided on the exact fraction."""
    if value is None:
        return None
    units = value * 10**places
    floor = units.numerator // units.denominator
    rounded = floor + (1 if units - floor >= Fraction(1, 2) else 0)
    return Decimal(rounded).scaleb(-places)


def score(definition: Definition, answers: Mapping[str, str]) -> Scores:
    """The scores of cleaned ``answers`` under ``definition``."""
    share = definition.min_share
    question_scores: dict[str, list[Fraction | None]] = {i.code: [] for i in definition.indicators}
    answered = 0
    for question in definition.questions:
        option = question.option(answers.get(question.code, ""))
        value = option.score if option is not None else None
        answered += value is not None
        question_scores[question.indicator].append(value)
    indicators = {
        code: _weighted_mean([(value, Fraction(1)) for value in values], share)
        for code, values in question_scores.items()
    }
    dimensions = {
        dimension.code: _weighted_mean(
            [
                (indicators[indicator.code], indicator.weight)
                for indicator in definition.indicators
                if indicator.dimension == dimension.code
            ],
            share,
        )
        for dimension in definition.dimensions
    }
    composite = _weighted_mean(
        [(dimensions[d.code], d.weight) for d in definition.dimensions], share
    )
    band = None
    if composite is not None:
        for candidate in definition.bands:
            last = candidate is definition.bands[-1]
            if candidate.low <= composite < candidate.high or (
                last and composite == candidate.high
            ):
                band = candidate.code
                break
    places = definition.rounding
    return Scores(
        dimensions={code: _round(value, places) for code, value in dimensions.items()},
        composite=_round(composite, places),
        indicators={code: _round(value, places) for code, value in indicators.items()},
        band=band,
        answered=answered,
        questions=len(definition.questions),
    )


def shipped() -> list[dict[str, Any]]:
    """The definitions shipped with Wayhome (``instruments/*.json``), by file name."""
    return [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(INSTRUMENTS_DIR.glob("*.json"))
    ]
