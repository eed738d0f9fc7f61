"""Courses in the database, read side: the current version for a country, a whole version tree, and conversions
between database rows and the course format's documents (``quiz.model.Question``, ``CourseDoc``).

Row layouts written by the importer (and read back here):

- ``Question.data``: the type-specific fields of ``quiz.model.Question`` that differ from their defaults (answer,
  feedback_true/false, answers, case_sensitive, ignore_accents, normalize_whitespace, numeric_answers, pairs,
  items, grading, blanks, start, nodes, title, category), nested dataclasses as plain dicts; choice options are
  ``QuestionOption`` rows.
- ``Activity.settings``: quizzes: ``pass_mark``, ``attempts`` (None = unlimited), ``shuffle``, ``feedback``,
  ``mastery_correct``, ``mastery_of_last``, ``format`` ("yaml" | "gift"), ``gift_language``; lessons:
  ``media`` = ``{lang: {"images/x.svg": "<sha256>.svg"}}``, the images the lesson's Markdown uses, by language.
"""
from __future__ import annotations

import dataclasses
import functools
import posixpath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from recosa_learn.quiz.model import (
    Blank,
    Choice,
    NumericAnswer,
    OrderItem,
    Pair,
    Question,
    Quiz,
    QuizSettings,
    ScenarioChoice,
    ScenarioNode,
    TextAnswer,
)

from ..extensions import db
from .documents import ActivityDoc, CompletionRule, CourseDoc, ModuleDoc
from .markdown import find_images
from .models import Activity, Course, CourseVersion, Module, QuestionOption
from .models import Question as QuestionRow

PUBLISHED = "published"
ARCHIVED = "archived"
#: the fields of ``Question`` kept in columns of their own
_COLUMNS = ("key", "type", "text", "points", "general_feedback", "options")
_DEFAULT_QUESTION = Question(key="", type="", text={})
QUIZ_SETTING_NAMES = ("pass_mark", "attempts", "shuffle", "feedback", "mastery_correct", "mastery_of_last")


# --- Versions ---------------------------------------------------------------------------------------------------

def current_version(course: Course | int, country_code: str | None) -> CourseVersion | None:
    """The published current version learners of ``country_code`` get: the country's own, else the base (one query)."""
    course_id = course if isinstance(course, int) else course.id
    wanted = CourseVersion.country_code.is_(None)
    if country_code:
        wanted = wanted | (CourseVersion.country_code == country_code.upper())
    stmt = (
        select(CourseVersion)
        .where(CourseVersion.course_id == course_id, CourseVersion.is_current.is_(True),
               CourseVersion.status == PUBLISHED, wanted)
        .order_by(CourseVersion.country_code.is_(None))  # the country's own version first
        .limit(1)
    )
    return db.session.scalars(stmt).first()


def current_versions(course: Course) -> dict[str | None, CourseVersion]:
    """Every current version of ``course`` by country code (None = the base), in one query."""
    stmt = select(CourseVersion).where(CourseVersion.course_id == course.id, CourseVersion.is_current.is_(True))
    return {v.country_code: v for v in db.session.scalars(stmt)}


def load_version_tree(version_id: int) -> CourseVersion | None:
    """A version with its course, modules, activities, questions and options loaded in a constant number of queries."""
    stmt = (
        select(CourseVersion)
        .where(CourseVersion.id == version_id)
        .options(
            joinedload(CourseVersion.course),
            selectinload(CourseVersion.modules)
            .selectinload(Module.activities)
            .selectinload(Activity.questions)
            .selectinload(QuestionRow.options),
        )
    )
    return db.session.scalars(stmt).first()


def find_course(key: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.key == key))


# --- Questions ----------------------------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """Dataclasses (and lists of them) as JSON-ready dicts."""
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def question_data(q: Question) -> dict[str, Any]:
    """The ``Question.data`` JSON of ``q``: its non-column fields that differ from the defaults."""
    data = {}
    for f in dataclasses.fields(Question):
        if f.name in _COLUMNS:
            continue
        value = getattr(q, f.name)
        if value != getattr(_DEFAULT_QUESTION, f.name):
            data[f.name] = _plain(value)
    return data


def question_row(q: Question, position: int = 0) -> QuestionRow:
    """A new ``Question`` row (with its option rows) for ``q``; hashes and rendering are the importer's job."""
    row = QuestionRow(key=q.key, position=position, type=q.type, points=float(q.points), text=dict(q.text),
                      general_feedback=dict(q.general_feedback), data=question_data(q))
    row.options = [QuestionOption(key=o.key, position=i, text=dict(o.text), weight=float(o.weight),
                                  feedback=dict(o.feedback)) for i, o in enumerate(q.options)]
    return row


def _choice(d: dict) -> Choice:
    return Choice(key=d["key"], text=d.get("text") or {}, weight=d.get("weight", 0.0), feedback=d.get("feedback") or {})


def _text_answer(d: dict) -> TextAnswer:
    return TextAnswer(text=d.get("text") or {}, weight=d.get("weight", 100.0), feedback=d.get("feedback") or {})


_NESTED = {
    "answers": lambda items: [_text_answer(d) for d in items],
    "numeric_answers": lambda items: [NumericAnswer(**d) for d in items],
    "pairs": lambda items: [Pair(**d) for d in items],
    "items": lambda items: [OrderItem(**d) for d in items],
    "blanks": lambda items: [Blank(key=d["key"], answers=[_text_answer(a) for a in d.get("answers", [])],
                                   options=[_choice(o) for o in d.get("options", [])]) for d in items],
    "nodes": lambda items: [ScenarioNode(key=d["key"], text=d.get("text") or {},
                                         choices=[ScenarioChoice(**c) for c in d.get("choices", [])],
                                         weight=d.get("weight", 0.0), debrief=d.get("debrief") or {})
                            for d in items],
}


def question_from_row(row: QuestionRow) -> Question:
    """The scoring model of a question row (options in order), for ``quiz.scoring`` and exports."""
    fields = {name: (_NESTED[name](value) if name in _NESTED else value) for name, value in (row.data or {}).items()
              if name in {f.name for f in dataclasses.fields(Question)}}
    options = [Choice(key=o.key, text=dict(o.text or {}), weight=o.weight, feedback=dict(o.feedback or {}))
               for o in row.options]
    return Question(key=row.key, type=row.type, text=dict(row.text or {}), points=row.points,
                    general_feedback=dict(row.general_feedback or {}), options=options, **fields)


# --- Activities and whole versions -----------------------------------------------------------------------------

def quiz_settings_json(activity: ActivityDoc) -> dict[str, Any]:
    """``Activity.settings`` of a quiz document."""
    settings = dataclasses.asdict(activity.quiz.settings) if activity.quiz else {}
    settings.update(format=activity.format, gift_language=activity.gift_language)
    return settings


def lesson_images(body: dict[str, str], languages: list[str]) -> list[str]:
    """The images a lesson uses, as the parser lists them: by language in course order, then order of use."""
    found: list[str] = []
    for lang in list(languages) + sorted(set(body) - set(languages)):
        for relative in _image_paths(body.get(lang, "")):
            if relative not in found:
                found.append(relative)
    return found


@functools.lru_cache(maxsize=4096)
def _image_paths(text: str) -> tuple[str, ...]:
    return tuple(posixpath.normpath(ref.src.split("#")[0].split("?")[0]) for ref in find_images(text))


def activity_to_doc(row: Activity, languages: list[str]) -> ActivityDoc:
    doc = ActivityDoc(key=row.key, type=row.type, title=dict(row.title or {}), duration_minutes=row.duration_minutes,
                      sources=list(row.sources or []))
    settings = row.settings or {}
    if row.type == "lesson":
        doc.body = dict(row.body or {})
        doc.images = lesson_images(doc.body, languages)
    else:
        doc.format = settings.get("format") or "yaml"
        doc.gift_language = settings.get("gift_language")
        quiz_settings = QuizSettings(**{k: settings[k] for k in QUIZ_SETTING_NAMES if k in settings})
        doc.quiz = Quiz(settings=quiz_settings, questions=[question_from_row(q) for q in row.questions])
    return doc


def version_to_doc(version: CourseVersion) -> CourseDoc:
    """The course document a version holds (load it with ``load_version_tree`` first to stay in few queries)."""
    course = version.course
    completion = version.completion or {}
    rule = CompletionRule(required=completion.get("required", "all"), pass_mark=completion.get("pass_mark", 70),
                          lessons=completion.get("lessons", "manual"))
    languages = list(course.languages or [course.default_language])
    doc = CourseDoc(key=course.key, kind=course.kind, default_language=course.default_language, languages=languages,
                    required_languages=list(course.required_languages or [course.default_language]),
                    title=dict(version.title or {}), summary=dict(version.summary or {}),
                    audience=dict(version.audience or {}), duration_minutes=version.duration_minutes,
                    playful=course.is_playful, completion=rule)
    for module in version.modules:
        doc.modules.append(ModuleDoc(key=module.key, title=dict(module.title or {}),
                                     summary=dict(module.summary or {}),
                                     activities=[activity_to_doc(a, languages) for a in module.activities]))
    return doc
