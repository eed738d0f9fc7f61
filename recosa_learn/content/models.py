"""Courses in the database: a course and its versions, each a frozen tree of modules → activities → questions.

A *version* is what one audience sees: the base course (``country_code`` None) or one country's resolved variant
(base + that country's adaptation). Publishing creates a new version and makes it current; drafts are versions
with status "draft" that only authors see. Every item keeps the stable ``key`` from course_content/, so learner
progress (keyed by ``activity.path``) survives re-imports and new versions.

Texts are ``{lang: text}`` maps (JSON). Markdown sources are kept next to their rendered, sanitized HTML, which is
produced once at import/save time and served as is.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db, utcnow

I18nJSON = dict[str, str]


class Course(db.Model):
    __tablename__ = "courses"
    __table_args__ = (
        CheckConstraint("kind IN ('training-model', 'youth-awareness', 'sport-integration')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    default_language: Mapped[str] = mapped_column(String(5), default="fr")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    required_languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_playful: Mapped[bool] = mapped_column(default=False)  #: points, badges and a progress path
    is_retired: Mapped[bool] = mapped_column(default=False)  #: removed from course_content/; never deleted
    #: hash of the imported course document, to skip unchanged re-imports quickly
    source_hash: Mapped[Optional[str]] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    versions: Mapped[list[CourseVersion]] = relationship(back_populates="course", order_by="CourseVersion.id")


class CourseVersion(db.Model):
    """One frozen course tree for one audience: the base course or a country's resolved variant."""

    __tablename__ = "course_versions"
    __table_args__ = (
        UniqueConstraint("course_id", "country_code", "number"),
        CheckConstraint("status IN ('draft', 'review', 'published', 'archived')", name="status"),
        Index("ix_course_versions_current", "course_id", "country_code", "is_current"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    country_code: Mapped[Optional[str]] = mapped_column(ForeignKey("countries.code"), index=True)  #: None = base
    number: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    is_current: Mapped[bool] = mapped_column(default=False)  #: the published version learners get
    #: for a country variant: the base version it was resolved from
    base_version_id: Mapped[Optional[int]] = mapped_column(ForeignKey("course_versions.id"), index=True)
    source: Mapped[str] = mapped_column(String(12), default="import")  #: import | web
    title: Mapped[I18nJSON] = mapped_column(JSON, default=dict)
    summary: Mapped[I18nJSON] = mapped_column(JSON, default=dict)
    audience: Mapped[I18nJSON] = mapped_column(JSON, default=dict)
    duration_minutes: Mapped[Optional[int]]
    #: {"required": "all" | [activity paths], "pass_mark": 70, "lessons": "manual" | "on_view"}
    completion: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    hashes: Mapped[I18nJSON] = mapped_column(JSON, default=dict)  #: content hash per language
    note: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    published_at: Mapped[Optional[datetime]]
    published_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)

    course: Mapped[Course] = relationship(back_populates="versions")
    modules: Mapped[list[Module]] = relationship(
        back_populates="version", order_by="Module.position", cascade="all, delete-orphan"
    )


class Module(db.Model):
    __tablename__ = "modules"
    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[I18nJSON] = mapped_column(JSON, default=dict)
    summary: Mapped[I18nJSON] = mapped_column(JSON, default=dict)
    hashes: Mapped[I18nJSON] = mapped_column(JSON, default=dict)
    is_local: Mapped[bool] = mapped_column(default=False)  #: added by a country adaptation

    version: Mapped[CourseVersion] = relationship(back_populates="modules")
    activities: Mapped[list[Activity]] = relationship(
        back_populates="module", order_by="Activity.position", cascade="all, delete-orphan"
    )


class Activity(db.Model):
    """A lesson or a quiz. ``path`` ("module-key/activity-key") is what learner progress refers to."""

    __tablename__ = "activities"
    __table_args__ = (
        UniqueConstraint("version_id", "path"),
        CheckConstraint("type IN ('lesson', 'quiz')", name="type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(130))
    position: Mapped[int] = mapped_column(default=0)  #: order inside the module
    sequence: Mapped[int] = mapped_column(default=0)  #: order inside the whole course (for previous/next)
    type: Mapped[str] = mapped_column(String(10))
    title: Mapped[I18nJSON] = mapped_column(JSON, default=dict)
    body: Mapped[I18nJSON] = mapped_column(JSON, default=dict)  #: lessons: Markdown per language
    html: Mapped[I18nJSON] = mapped_column(JSON, default=dict)  #: lessons: sanitized HTML per language
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    duration_minutes: Mapped[Optional[int]]
    #: quizzes: {"pass_mark", "attempts" (None = unlimited), "shuffle", "feedback", "mastery_correct",
    #: "mastery_of_last", "format", "gift_language"}
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    hashes: Mapped[I18nJSON] = mapped_column(JSON, default=dict)
    is_local: Mapped[bool] = mapped_column(default=False)

    module: Mapped[Module] = relationship(back_populates="activities")
    questions: Mapped[list[Question]] = relationship(
        back_populates="activity", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(db.Model):
    """A quiz question. Choice options are rows; the other types' structures live in ``data``."""

    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("activity_id", "key"),
        CheckConstraint(
            "type IN ('single_choice', 'multiple_response', 'true_false', 'short_answer', 'numerical', "
            "'matching', 'ordering', 'fill_blanks', 'scenario', 'reflection')",
            name="type",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)
    type: Mapped[str] = mapped_column(String(20))
    points: Mapped[float] = mapped_column(default=1.0)
    text: Mapped[I18nJSON] = mapped_column(JSON, default=dict)  #: Markdown per language
    general_feedback: Mapped[I18nJSON] = mapped_column(JSON, default=dict)
    #: type-specific fields of quiz.model.Question (answer, answers, numeric_answers, pairs, items, blanks,
    #: start, nodes, flags, title, category), as plain JSON
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: every display text of the question rendered to sanitized HTML once, at import/save time
    rendered: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    hashes: Mapped[I18nJSON] = mapped_column(JSON, default=dict)
    is_local: Mapped[bool] = mapped_column(default=False)

    activity: Mapped[Activity] = relationship(back_populates="questions")
    options: Mapped[list[QuestionOption]] = relationship(
        back_populates="question", order_by="QuestionOption.position", cascade="all, delete-orphan"
    )


class QuestionOption(db.Model):
    """An option of a single-choice or multiple-response question."""

    __tablename__ = "question_options"
    __table_args__ = (UniqueConstraint("question_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[I18nJSON] = mapped_column(JSON, default=dict)
    weight: Mapped[float] = mapped_column(default=0.0)  #: percent, -100..100
    feedback: Mapped[I18nJSON] = mapped_column(JSON, default=dict)
    hashes: Mapped[I18nJSON] = mapped_column(JSON, default=dict)

    question: Mapped[Question] = relationship(back_populates="options")


class Media(db.Model):
    """An image used by lessons, stored once by content hash and served with a long cache lifetime."""

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(60))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[Optional[int]]
    height: Mapped[Optional[int]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
