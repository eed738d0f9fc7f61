"""The course format as plain data: what ``parser`` reads from files and ``writer`` writes back.

Positions (``file``, ``line``) and source folders are kept for messages but ignored when comparing documents,
so "load → write → load" can be checked with ``==``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from recosa_learn.quiz.model import Choice, I18n, Question, Quiz

COURSE_KINDS = ("training-model", "youth-awareness", "sport-integration")
ACTIVITY_TYPES = ("lesson", "quiz")
QUIZ_FORMATS = ("yaml", "gift")
LESSON_COMPLETION = ("manual", "on_view")
COUNTRIES = ("ma", "ci", "ml", "sn")


def _where():
    """A position field: shown in messages, never compared."""
    return field(default="", compare=False, repr=False)


def _line():
    return field(default=0, compare=False, repr=False)


@dataclass
class CompletionRule:
    """When a learner has completed the course."""

    required: str | list[str] = "all"  #: "all" or activity paths "module/activity"
    pass_mark: float = 70
    lessons: str = "manual"


@dataclass
class ActivityDoc:
    """A lesson (Markdown per language) or a quiz (YAML or GIFT) of a module."""

    key: str
    type: str
    title: I18n
    duration_minutes: int | None = None
    sources: list[str] = field(default_factory=list)
    body: I18n = field(default_factory=dict)  #: lessons: Markdown per language
    quiz: Quiz | None = None  #: quizzes: settings and questions
    format: str = "yaml"  #: quizzes: "yaml" (<key>.quiz.yaml) or "gift" (<key>.gift)
    gift_language: str | None = None
    images: list[str] = field(default_factory=list)  #: paths relative to the module folder, in order of use
    file: str = _where()
    line: int = _line()


@dataclass
class ModuleDoc:
    key: str
    title: I18n
    summary: I18n = field(default_factory=dict)
    activities: list[ActivityDoc] = field(default_factory=list)
    file: str = _where()
    line: int = _line()


@dataclass
class Override:
    """One entry of an adaptation: change (``target``) or add (``after`` / ``first_in``) one item of the base course."""

    target: str | None = None  #: path of keys "module/activity[/question[/option]]"
    after: str | None = None  #: add: the item is inserted after this one (same parent)
    first_in: str | None = None  #: add: the item is inserted first in this module (an activity) or quiz (a question)
    base_hash: dict[str, str] = field(default_factory=dict)
    replace: dict[str, I18n] = field(default_factory=dict)  #: field name -> {lang: text}
    hide: bool = False
    settings: dict[str, object] = field(default_factory=dict)  #: pass_mark, attempts (None = unlimited)
    add: ModuleDoc | ActivityDoc | Question | Choice | None = None
    file: str = _where()
    line: int = _line()


@dataclass
class AdaptationDoc:
    """A country's overlay of a base course (``adaptations/<cc>/adaptation.yaml``)."""

    country: str  #: upper case, e.g. "SN"
    title: I18n = field(default_factory=dict)
    summary: I18n = field(default_factory=dict)
    overrides: list[Override] = field(default_factory=list)
    images: list[str] = field(default_factory=list)  #: relative to the adaptation folder
    path: Path | None = field(default=None, compare=False, repr=False)
    file: str = _where()
    line: int = _line()


@dataclass
class CourseDoc:
    key: str
    kind: str
    default_language: str
    languages: list[str]
    required_languages: list[str]
    title: I18n
    summary: I18n
    audience: I18n = field(default_factory=dict)
    duration_minutes: int | None = None
    playful: bool = False
    completion: CompletionRule = field(default_factory=CompletionRule)
    modules: list[ModuleDoc] = field(default_factory=list)
    adaptations: list[AdaptationDoc] = field(default_factory=list)
    path: Path | None = field(default=None, compare=False, repr=False)  #: the course folder read
    file: str = _where()
    line: int = _line()

    def module(self, key: str) -> ModuleDoc | None:
        """The module with this key, if any."""
        return next((m for m in self.modules if m.key == key), None)

    def activity(self, path: str) -> ActivityDoc | None:
        """The activity at "module/activity", if any."""
        module_key, _, activity_key = path.partition("/")
        module = self.module(module_key)
        if module is None:
            return None
        return next((a for a in module.activities if a.key == activity_key), None)
