"""The scoring engine: hand-computed examples (missing answers, rounding half up), properties over
generated instruments (every score in [0, 1], never lower when one answer improves), and the
checks of a definition."""

from __future__ import annotations

import copy
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from wayhome.surveys import scoring


def texts(word: str) -> dict[str, str]:
    return {language: f"{word} ({language})" for language in scoring.REQUIRED_LANGUAGES}


def options(*scores: str | None) -> list[dict[str, Any]]:
    return [
        {"value": f"o{n}" if score is not None else "dont_know", "label": texts(f"o{n}"),
         "score": score}
        for n, score in enumerate(scores)
    ]  # fmt: skip


def question(code: str, indicator: str, *scores: str | None) -> dict[str, Any]:
    return {"code": code, "indicator": indicator, "text": texts(code), "options": options(*scores)}


#: Two dimensions (economic counts twice in the composite), three indicators (e2 weighs three
#: times e1), four questions; a half of the weight must be answered; two places; two bands.
HAND: dict[str, Any] = {
    "code": "hand",
    "title": texts("Hand"),
    "dimensions": [
        {"code": "econ", "label": texts("Economic"), "weight": "2"},
        {"code": "social", "label": texts("Social"), "weight": "1"},
    ],
    "indicators": [
        {"code": "e1", "dimension": "econ", "label": texts("e1"), "weight": "1"},
        {"code": "e2", "dimension": "econ", "label": texts("e2"), "weight": "3"},
        {"code": "s1", "dimension": "social", "label": texts("s1"), "weight": "1"},
    ],
    "questions": [
        question("qa", "e1", "0", "0.5", "1", None),
        question("qb", "e1", "0", "0.5", "1", None),
        question("qc", "e2", "0", "0.25", "0.75", "1", None),
        question("qd", "s1", "0.2", "0.7", None),
    ],
    "missing": {"min_share": "0.5"},
    "rounding": 2,
    "bands": [
        {"code": "low", "from": "0", "to": "0.5", "label": texts("Low")},
        {"code": "high", "from": "0.5", "to": "1", "label": texts("High")},
    ],
}  # fmt: skip


def hand_scores(**answers: str) -> scoring.Scores:
    definition = scoring.parse(HAND)
    return scoring.score(definition, scoring.clean_answers(definition, answers))


def test_every_question_answered() -> None:
    # e1 = (1 + 0.5) / 2 = 0.75; e2 = 0.25; econ = (0.75 * 1 + 0.25 * 3) / 4 = 0.375 -> 0.38
    # social = 0.7; composite = (0.375 * 2 + 0.7) / 3 = 0.48333... -> 0.48, band low
    scores = hand_scores(qa="o2", qb="o1", qc="o1", qd="o1")
    assert scores.indicators == {
        "e1": Decimal("0.75"),
        "e2": Decimal("0.25"),
        "s1": Decimal("0.70"),
    }
    assert scores.dimensions == {"econ": Decimal("0.38"), "social": Decimal("0.70")}
    assert scores.composite == Decimal("0.48")
    assert scores.band == "low"
    assert (scores.answered, scores.questions) == (4, 4)


def test_rounding_is_half_up_on_the_exact_value() -> None:
    # e1 = 0.5 (qb "don't know": one of two questions is enough); e2 = 0; econ = 0.5 / 4 = 0.125
    # -> 0.13 (half up; half even would say 0.12); composite = (0.125 * 2 + 0.2) / 3 = 0.15
    scores = hand_scores(qa="o1", qb="dont_know", qc="o0", qd="o0")
    assert scores.indicators["e1"] == Decimal("0.50")
    assert scores.dimensions["econ"] == Decimal("0.13")
    assert scores.composite == Decimal("0.15")
    assert scores.answered == 3


def test_too_few_answers_make_a_score_missing() -> None:
    # e1 = 0.5 from qb; e2 missing; econ has 1 of 4 weight answered (< half): missing;
    # social = 0.2; the composite has 1 of 3 weight (< half): missing, and so has no band.
    scores = hand_scores(qa="dont_know", qb="o1", qc="dont_know", qd="o0")
    assert scores.indicators == {"e1": Decimal("0.50"), "e2": None, "s1": Decimal("0.20")}
    assert scores.dimensions == {"econ": None, "social": Decimal("0.20")}
    assert scores.composite is None
    assert scores.band is None
    assert scores.answered == 2


def test_a_missing_dimension_is_left_out_of_the_composite_when_enough_remains() -> None:
    # social missing; econ (2 of 3 of the weight) = 1, so the composite is 1, in the last band.
    scores = hand_scores(qa="o2", qb="o2", qc="o3", qd="dont_know")
    assert scores.dimensions == {"econ": Decimal("1.00"), "social": None}
    assert scores.composite == Decimal("1.00")
    assert scores.band == "high"


def test_nothing_answered() -> None:
    scores = hand_scores()
    assert scores.composite is None
    assert set(scores.dimensions.values()) == {None}
    assert scores.answered == 0
    assert scores.as_json()["composite"] is None


def test_scores_as_json_keep_the_rounded_text() -> None:
    data = hand_scores(qa="o2", qb="o1", qc="o1", qd="o1").as_json()
    assert data["dimensions"] == {"econ": "0.38", "social": "0.70"}
    assert data["composite"] == "0.48"
    assert data["band"] == "low"


def test_answers_are_checked() -> None:
    definition = scoring.parse(HAND)
    with pytest.raises(ValidationError) as error:
        scoring.clean_answers(definition, {"qa": "o9", "nope": "o1", "qb": "o1"})
    assert set(error.value.message_dict) == {"qa", "nope"}
    assert scoring.clean_answers(definition, {"qa": "", "qb": "o1"}) == {"qb": "o1"}


def test_a_definition_reports_every_problem_at_once() -> None:
    broken = copy.deepcopy(HAND)
    broken["dimensions"][0]["weight"] = 2  # a number, not a string
    broken["indicators"][0]["dimension"] = "nowhere"
    broken["questions"][0]["options"][0]["score"] = "1.5"
    broken["questions"][1]["text"] = {"en": "only English"}
    broken["bands"][1]["from"] = "0.6"  # a gap
    broken["rounding"] = 9
    with pytest.raises(scoring.DefinitionError) as error:
        scoring.parse(broken)
    text = " | ".join(error.value.messages)
    assert "dimensions[1].weight" in text
    assert "indicators[1].dimension" in text
    assert "questions[1].options[1].score" in text
    assert "questions[2].text" in text
    assert "bands" in text
    assert "rounding" in text
    with pytest.raises(scoring.DefinitionError):
        scoring.parse([])


def test_the_shipped_instruments_are_valid() -> None:
    found = {data["code"]: scoring.parse(data) for data in scoring.shipped()}
    assert set(found) >= {"rss", "satisfaction"}
    rss = found["rss"]
    assert len(rss.indicators) == 15
    assert {d.code for d in rss.dimensions} == {"economic", "social", "psychosocial"}
    for dimension in rss.dimensions:
        assert sum(1 for i in rss.indicators if i.dimension == dimension.code) == 5
    assert rss.data["weights_are_defaults"] is True
    satisfaction = found["satisfaction"]
    assert len(satisfaction.questions) == 7
    for question in satisfaction.questions:
        assert [o.score for o in question.options if o.score is not None] == [
            Fraction(0),
            Fraction(1, 4),
            Fraction(1, 2),
            Fraction(3, 4),
            Fraction(1),
        ]
    best = scoring.score(rss, {q.code: max(q.options, key=_rank).value for q in rss.questions})
    worst = scoring.score(rss, {q.code: min(_scored(q), key=_rank).value for q in rss.questions})
    assert best.composite == Decimal("1.00")
    assert worst.composite == Decimal("0.00")


def _scored(question: scoring.Question) -> list[scoring.Option]:
    return [option for option in question.options if option.score is not None]


def _rank(option: scoring.Option) -> Fraction:
    return option.score if option.score is not None else Fraction(-1)


# --- properties over generated instruments ------------------------------------------------------

SCORE = st.one_of(st.none(), st.integers(0, 100).map(lambda n: str(Decimal(n) / 100)))
WEIGHT = st.integers(0, 40).map(lambda n: str(Decimal(n) / 4))


@st.composite
def definitions(draw: st.DrawFn) -> dict[str, Any]:
    dimensions, indicators, questions = [], [], []
    for d in range(draw(st.integers(1, 3))):
        dimensions.append({"code": f"d{d}", "label": texts("d"), "weight": draw(WEIGHT)})
        for i in range(draw(st.integers(1, 3))):
            code = f"d{d}i{i}"
            indicators.append(
                {"code": code, "dimension": f"d{d}", "label": texts("i"), "weight": draw(WEIGHT)}
            )
            for q in range(draw(st.integers(1, 3))):
                scores = draw(st.lists(SCORE, min_size=1, max_size=5))
                scores.append(str(Decimal(draw(st.integers(0, 100))) / 100))  # one scored at least
                questions.append(
                    {
                        "code": f"{code}q{q}",
                        "indicator": code,
                        "text": texts("q"),
                        "options": [
                            {"value": f"v{n}", "label": texts("v"), "score": score}
                            for n, score in enumerate(scores)
                        ],
                    }
                )
    # No all-zero weights (the definition check refuses them).
    dimensions[0]["weight"] = "1"
    for dimension in dimensions:
        first = next(i for i in indicators if i["dimension"] == dimension["code"])
        first["weight"] = "1"
    return {
        "code": "generated",
        "title": texts("t"),
        "dimensions": dimensions,
        "indicators": indicators,
        "questions": questions,
        "missing": {"min_share": draw(st.sampled_from(["0", "0.25", "0.5", "0.75", "1"]))},
        "rounding": draw(st.integers(0, 4)),
        "bands": [
            {"code": "low", "from": "0", "to": "0.5", "label": texts("l")},
            {"code": "high", "from": "0.5", "to": "1", "label": texts("h")},
        ],
    }


@st.composite
def definition_and_answers(draw: st.DrawFn) -> tuple[scoring.Definition, dict[str, str]]:
    definition = scoring.parse(draw(definitions()))
    answers = {}
    for question in definition.questions:
        choice = draw(st.one_of(st.none(), st.sampled_from(question.options)))
        if choice is not None:
            answers[question.code] = choice.value
    return definition, answers


def _all_scores(scores: scoring.Scores) -> list[Decimal | None]:
    return [*scores.indicators.values(), *scores.dimensions.values(), scores.composite]


@settings(max_examples=300, deadline=None)
@given(definition_and_answers())
def test_every_score_lies_between_0_and_1(case: tuple[scoring.Definition, dict[str, str]]) -> None:
    definition, answers = case
    scores = scoring.score(definition, answers)
    for value in _all_scores(scores):
        assert value is None or Decimal(0) <= value <= Decimal(1)
    assert (scores.band is None) == (scores.composite is None)


@settings(max_examples=300, deadline=None)
@given(definition_and_answers(), st.data())
def test_no_score_falls_when_one_answer_improves(
    case: tuple[scoring.Definition, dict[str, str]], data: st.DataObject
) -> None:
    definition, answers = case
    scored = [
        q for q in definition.questions
        if (o := q.option(answers.get(q.code, ""))) is not None and o.score is not None
    ]  # fmt: skip
    if not scored:
        return
    question = data.draw(st.sampled_from(scored))
    current = question.option(answers[question.code])
    assert current is not None
    assert current.score is not None
    better = [o for o in question.options if o.score is not None and o.score >= current.score]
    improved = {**answers, question.code: data.draw(st.sampled_from(better)).value}
    before = scoring.score(definition, answers)
    after = scoring.score(definition, improved)
    for old, new in zip(_all_scores(before), _all_scores(after), strict=True):
        assert (old is None) == (new is None)
        if old is not None and new is not None:
            assert new >= old
