"""Scoring of learners' responses: pure functions over the question model, no Flask, no database.

Every function accepts any response (wrong type, unknown keys, garbage) without raising: a malformed
response simply scores 0. Weights in the model are percents; fractions returned here are 0..1.
"""
from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Optional

from recosa_learn.quiz.model import Choice, I18n, NumericAnswer, Question, TextAnswer

FULL = 100.0
_PRECISION = 6  #: fractions are rounded so that 3 × 33.33333 % counts as full marks
_TATWEEL = "\u0640"  #: Arabic elongation mark, decorative like a diacritic


@dataclass(frozen=True)
class Result:
    """The score of one response to one question, with the feedback to show for it."""

    fraction: float
    earned: float
    max_points: float
    is_correct: Optional[bool]
    feedback: list[I18n] = field(default_factory=list)
    graded: bool = True


@dataclass(frozen=True)
class QuizResult:
    """The score of a whole attempt: per-question results and the percent over graded points."""

    results: dict[str, Result]
    earned: float
    max_points: float
    percent: float
    passed: bool


# --- text matching --------------------------------------------------------------------------------------------


def normalize_text(text: str, case_sensitive: bool = False, ignore_accents: bool = True,
                   normalize_whitespace: bool = True) -> str:
    """The form in which a typed answer and an accepted answer are compared (see the question flags)."""
    if ignore_accents:
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c) and c != _TATWEEL)
    text = unicodedata.normalize("NFC", text)
    if not case_sensitive:
        text = text.casefold()
    if normalize_whitespace:
        text = " ".join(text.split())
    return text.strip()


def text_matches(typed: str, accepted: str, case_sensitive: bool = False, ignore_accents: bool = True,
                 normalize_whitespace: bool = True) -> bool:
    """Whether ``typed`` matches the accepted answer ``accepted``, where ``*`` stands for any text."""
    flags = dict(case_sensitive=case_sensitive, ignore_accents=ignore_accents,
                 normalize_whitespace=normalize_whitespace)
    typed_n, accepted_n = normalize_text(typed, **flags), normalize_text(accepted, **flags)
    if "*" not in accepted_n:
        return typed_n == accepted_n
    pattern = ".*".join(re.escape(part) for part in accepted_n.split("*"))
    return re.fullmatch(pattern, typed_n, re.DOTALL) is not None


def _best_text_answer(q: Question, answers: Sequence[TextAnswer], typed: Any, lang: str) -> Optional[TextAnswer]:
    """The matching answer with the highest weight; on a tie, one in the learner's language wins."""
    if not isinstance(typed, str) or not typed.strip():
        return None
    best, best_rank = None, None
    for answer in answers:
        for answer_lang, accepted in answer.text.items():
            if not accepted or not text_matches(typed, accepted, q.case_sensitive, q.ignore_accents,
                                                q.normalize_whitespace):
                continue
            rank = (answer.weight, answer_lang == lang)
            if best_rank is None or rank > best_rank:
                best, best_rank = answer, rank
    return best


# --- numbers --------------------------------------------------------------------------------------------------


def parse_number(value: Any) -> Optional[float]:
    """A learner's number: accepts ``3,5`` (decimal comma) and spaces between thousands; None if unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = "".join(value.split()).replace("\u202f", "").replace("\u00a0", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
            return None
        number = float(text)
    else:
        return None
    return number if number == number and abs(number) != float("inf") else None


def numeric_matches(answer: NumericAnswer, number: float) -> bool:
    """Whether ``number`` is accepted by ``answer`` (value ± tolerance, a min..max range, or any number)."""
    slack = 1e-9 * max(1.0, abs(number))
    if answer.value is not None:
        return abs(number - answer.value) <= abs(answer.tolerance) + slack
    if answer.min is not None or answer.max is not None:
        low = answer.min if answer.min is not None else float("-inf")
        high = answer.max if answer.max is not None else float("inf")
        return low - slack <= number <= high + slack
    return True


def _best_numeric_answer(answers: Sequence[NumericAnswer], response: Any) -> Optional[NumericAnswer]:
    number = parse_number(response)
    if number is None:
        return None
    best = None
    for answer in answers:
        if numeric_matches(answer, number) and (best is None or answer.weight > best.weight):
            best = answer
    return best


# --- per type -------------------------------------------------------------------------------------------------


def _clamp(fraction: float) -> float:
    return round(min(1.0, max(0.0, fraction)), _PRECISION)


def _keys(items: Iterable[Any]) -> dict[str, Any]:
    return {item.key: item for item in items}


def _choice_score(options: Sequence[Choice], response: Any) -> tuple[float, list[I18n]]:
    chosen = _keys(options).get(response) if isinstance(response, str) else None
    if chosen is None:
        return 0.0, []
    return _clamp(chosen.weight / FULL), [chosen.feedback]


def _single_choice(q: Question, response: Any, lang: str) -> tuple[float, list[I18n]]:
    return _choice_score(q.options, response)


def _multiple_response(q: Question, response: Any, lang: str) -> tuple[float, list[I18n]]:
    if isinstance(response, (str, bytes, Mapping)) or not isinstance(response, Iterable):
        return 0.0, []
    options = _keys(q.options)
    chosen = set()
    for key in response:
        if not isinstance(key, str) or key not in options:
            return 0.0, []
        chosen.add(key)
    picked = [o for o in q.options if o.key in chosen]
    return _clamp(sum(o.weight for o in picked) / FULL), [o.feedback for o in picked]


def _true_false(q: Question, response: Any, lang: str) -> tuple[float, list[I18n]]:
    if not isinstance(response, bool) or q.answer is None:
        return 0.0, []
    feedback = q.feedback_true if response else q.feedback_false
    return (1.0 if response == q.answer else 0.0), [feedback]


def _short_answer(q: Question, response: Any, lang: str) -> tuple[float, list[I18n]]:
    best = _best_text_answer(q, q.answers, response, lang)
    return (0.0, []) if best is None else (_clamp(best.weight / FULL), [best.feedback])


def _numerical(q: Question, response: Any, lang: str) -> tuple[float, list[I18n]]:
    best = _best_numeric_answer(q.numeric_answers, response)
    return (0.0, []) if best is None else (_clamp(best.weight / FULL), [best.feedback])


def _prompted(q: Question) -> list:
    return [p for p in q.pairs if any(text.strip() for text in p.prompt.values())]


def _matching(q: Question, response: Any, lang: str) -> tuple[float, list[I18n]]:
    prompts, pairs = _prompted(q), _keys(q.pairs)
    if not isinstance(response, Mapping) or not prompts:
        return 0.0, []
    prompt_keys = {p.key for p in prompts}
    if any(k not in prompt_keys or (v is not None and v not in pairs) for k, v in response.items()):
        return 0.0, []
    right = sum(1 for p in prompts if response.get(p.key) is not None and pairs[response[p.key]].answer == p.answer)
    return _clamp(right / len(prompts)), []


def _ordering(q: Question, response: Any, lang: str) -> tuple[float, list[I18n]]:
    expected = [item.key for item in q.items]
    if (isinstance(response, (str, bytes, Mapping)) or not isinstance(response, Iterable) or not expected):
        return 0.0, []
    given = list(response)
    if not all(isinstance(k, str) for k in given) or sorted(given) != sorted(expected):
        return 0.0, []
    in_place = sum(1 for a, b in zip(given, expected, strict=True) if a == b)
    if q.grading == "all_or_nothing":
        return (1.0 if in_place == len(expected) else 0.0), []
    return _clamp(in_place / len(expected)), []


def _fill_blanks(q: Question, response: Any, lang: str) -> tuple[float, list[I18n]]:
    blanks = _keys(q.blanks)
    if not isinstance(response, Mapping) or not blanks or any(k not in blanks for k in response):
        return 0.0, []
    total, feedback = 0.0, []
    for blank in q.blanks:
        value = response.get(blank.key)
        if blank.options:
            score, shown = _choice_score(blank.options, value)
        else:
            best = _best_text_answer(q, blank.answers, value, lang)
            score, shown = (0.0, []) if best is None else (_clamp(best.weight / FULL), [best.feedback])
        total += score
        feedback.extend(shown)
    return _clamp(total / len(q.blanks)), feedback


def _scenario(q: Question, response: Any, lang: str) -> tuple[float, list[I18n]]:
    nodes = _keys(q.nodes)
    node = nodes.get(q.start)
    if node is None or isinstance(response, (str, bytes, Mapping)) or not isinstance(response, Iterable):
        return 0.0, []
    feedback = []
    for key in response:
        choice = _keys(node.choices).get(key) if isinstance(key, str) else None
        if choice is None or choice.next not in nodes:
            return 0.0, []
        feedback.append(choice.feedback)
        node = nodes[choice.next]
    if node.choices:
        return 0.0, []
    return _clamp(node.weight / FULL), feedback + [node.debrief]


_SCORERS = {
    "single_choice": _single_choice,
    "multiple_response": _multiple_response,
    "true_false": _true_false,
    "short_answer": _short_answer,
    "numerical": _numerical,
    "matching": _matching,
    "ordering": _ordering,
    "fill_blanks": _fill_blanks,
    "scenario": _scenario,
}


def score_question(q: Question, response: Any, lang: str = "fr") -> Result:
    """Score ``response`` to ``q``; ``lang`` (the learner's language) breaks ties between equal short answers."""
    general = [q.general_feedback] if q.general_feedback else []
    scorer = _SCORERS.get(q.type)
    if scorer is None:
        return Result(fraction=0.0, earned=0.0, max_points=0.0, is_correct=None, feedback=general, graded=False)
    try:
        fraction, feedback = scorer(q, response, lang)
    except (TypeError, ValueError, KeyError, AttributeError):  # an unhashable or odd value inside a response
        fraction, feedback = 0.0, []
    points = max(0.0, float(q.points))
    return Result(fraction=fraction, earned=round(points * fraction, _PRECISION), max_points=points,
                  is_correct=fraction >= 1.0, feedback=[f for f in feedback if f] + general, graded=True)


def score_quiz(questions: Sequence[Question], responses: Mapping[str, Any], pass_mark: Optional[float]) -> QuizResult:
    """Score an attempt: earned over graded points in percent (100 when nothing is graded); None = no pass mark."""
    responses = responses if isinstance(responses, Mapping) else {}
    results = {q.key: score_question(q, responses.get(q.key)) for q in questions}
    graded = [r for r in results.values() if r.graded]
    earned = round(sum(r.earned for r in graded), _PRECISION)
    max_points = round(sum(r.max_points for r in graded), _PRECISION)
    percent = round(100.0 * earned / max_points, 4) if max_points else 100.0
    return QuizResult(results=results, earned=earned, max_points=max_points, percent=percent,
                      passed=pass_mark is None or percent >= float(pass_mark))


def shuffle_order(keys: Sequence[str], seed: Any) -> list[str]:
    """``keys`` in an order fixed by ``seed`` (stored with the attempt, so a reload shows the same order)."""
    shuffled = list(keys)
    random.Random(seed).shuffle(shuffled)
    return shuffled


def mastery_reached(history: Sequence[bool], correct: int, of_last: int) -> bool:
    """Whether at least ``correct`` of the last ``of_last`` answers (oldest first in ``history``) were right."""
    if of_last <= 0:
        return False
    return sum(1 for ok in list(history)[-of_last:] if ok is True) >= correct


# --- answer key -----------------------------------------------------------------------------------------------


def _first_text(text: I18n) -> str:
    return next((t for t in text.values() if t), "")


def _best_option(options: Sequence[Choice]) -> Optional[str]:
    return max(options, key=lambda o: o.weight).key if options else None


def _numeric_example(answer: NumericAnswer) -> float:
    if answer.value is not None:
        return answer.value
    if answer.min is not None and answer.max is not None:
        return (answer.min + answer.max) / 2
    return answer.min if answer.min is not None else (answer.max if answer.max is not None else 0.0)


def _scenario_path(q: Question) -> list[str]:
    """The choices leading from the start to the best reachable ending (a shortest such path)."""
    nodes = _keys(q.nodes)
    if q.start not in nodes:
        return []
    paths, todo, best = {q.start: []}, [q.start], None
    while todo:
        key = todo.pop(0)
        node = nodes[key]
        if not node.choices and (best is None or node.weight > nodes[best].weight):
            best = key
        for choice in node.choices:
            if choice.next in nodes and choice.next not in paths:
                paths[choice.next] = paths[key] + [choice.key]
                todo.append(choice.next)
    return paths[best] if best is not None else []


def correct_response(q: Question) -> Any:
    """The response that earns the most a question can give (full marks for a valid question)."""
    if q.type == "single_choice":
        return _best_option(q.options)
    if q.type == "multiple_response":
        return [o.key for o in q.options if o.weight > 0]
    if q.type == "true_false":
        return q.answer
    if q.type == "short_answer":
        return _first_text(max(q.answers, key=lambda a: a.weight).text) if q.answers else ""
    if q.type == "numerical":
        return _numeric_example(max(q.numeric_answers, key=lambda a: a.weight)) if q.numeric_answers else None
    if q.type == "matching":
        return {p.key: p.key for p in _prompted(q)}
    if q.type == "ordering":
        return [item.key for item in q.items]
    if q.type == "fill_blanks":
        return {b.key: (_best_option(b.options) if b.options
                        else _first_text(max(b.answers, key=lambda a: a.weight).text) if b.answers else "")
                for b in q.blanks}
    if q.type == "scenario":
        return _scenario_path(q)
    return ""
