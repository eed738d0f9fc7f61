"""Question definitions shared by the content parser, the GIFT exchange, the database and the scoring engine.

Pure data (no Flask, no database). Every translatable field is an ``I18n`` mapping ``{lang: text}``.
Weights are percentages (-100..100). See ``course_content/README.md`` for the file format these mirror.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

I18n = dict[str, str]

QUESTION_TYPES = (
    "single_choice",
    "multiple_response",
    "true_false",
    "short_answer",
    "numerical",
    "matching",
    "ordering",
    "fill_blanks",
    "scenario",
    "reflection",
)


@dataclass
class Choice:
    """An option of a single-choice / multiple-response question or of a fill-in blank."""

    key: str
    text: I18n
    weight: float = 0.0
    feedback: I18n = field(default_factory=dict)


@dataclass
class TextAnswer:
    """An accepted answer of a short-answer question or typed blank; ``*`` is a wildcard."""

    text: I18n
    weight: float = 100.0
    feedback: I18n = field(default_factory=dict)


@dataclass
class NumericAnswer:
    """``value`` ± ``tolerance``, or ``min``..``max``; neither means "any other number"."""

    value: Optional[float] = None
    tolerance: float = 0.0
    min: Optional[float] = None
    max: Optional[float] = None
    weight: float = 100.0
    feedback: I18n = field(default_factory=dict)


@dataclass
class Pair:
    """A matching pair; an empty ``prompt`` makes ``answer`` a distractor."""

    key: str
    prompt: I18n
    answer: I18n


@dataclass
class OrderItem:
    key: str
    text: I18n


@dataclass
class Blank:
    """A ``[[key]]`` gap in a fill-in-the-blanks text: typed (``answers``) or chosen (``options``)."""

    key: str
    answers: list[TextAnswer] = field(default_factory=list)
    options: list[Choice] = field(default_factory=list)


@dataclass
class ScenarioChoice:
    key: str
    text: I18n
    next: Optional[str] = None
    feedback: I18n = field(default_factory=dict)


@dataclass
class ScenarioNode:
    """A situation; a node without choices is an ending with a ``weight`` and a ``debrief``."""

    key: str
    text: I18n
    choices: list[ScenarioChoice] = field(default_factory=list)
    weight: float = 0.0
    debrief: I18n = field(default_factory=dict)


@dataclass
class Question:
    key: str
    type: str
    text: I18n
    points: float = 1.0
    general_feedback: I18n = field(default_factory=dict)
    title: str = ""  #: a GIFT ``::title::``, kept for round trips
    category: str = ""  #: a GIFT ``$CATEGORY:`` (question bank category), kept for round trips
    # single_choice, multiple_response
    options: list[Choice] = field(default_factory=list)
    # true_false
    answer: Optional[bool] = None
    feedback_true: I18n = field(default_factory=dict)
    feedback_false: I18n = field(default_factory=dict)
    # short_answer
    answers: list[TextAnswer] = field(default_factory=list)
    case_sensitive: bool = False
    ignore_accents: bool = True
    normalize_whitespace: bool = True
    # numerical
    numeric_answers: list[NumericAnswer] = field(default_factory=list)
    # matching
    pairs: list[Pair] = field(default_factory=list)
    # ordering
    items: list[OrderItem] = field(default_factory=list)
    grading: str = "absolute"
    # fill_blanks
    blanks: list[Blank] = field(default_factory=list)
    # scenario
    start: Optional[str] = None
    nodes: list[ScenarioNode] = field(default_factory=list)


@dataclass
class QuizSettings:
    pass_mark: Optional[float] = None  #: percent; None = the course default
    attempts: Optional[int] = None  #: None = unlimited
    shuffle: bool = False
    feedback: str = "after_submit"  #: "immediate" | "after_submit"
    mastery_correct: Optional[int] = None
    mastery_of_last: Optional[int] = None


@dataclass
class Quiz:
    settings: QuizSettings
    questions: list[Question]
