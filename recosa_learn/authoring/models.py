"""Authoring records: country adaptations and their overrides, review submissions and comments, translation state.

An adaptation is stored as rows, one ``Override`` per (item, action, field, language), so each change carries the
base text and hash it was written against: that is how a later change of the base is detected and shown as a
conflict instead of being lost. Learners never read these tables: publishing resolves them into a
``CourseVersion`` of the country.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..content.models import Course
from ..extensions import db, utcnow

OVERRIDE_KINDS = ("replace", "hide", "add", "settings")


class Adaptation(db.Model):
    """A country's variant of a base course: the base plus ``overrides``."""

    __tablename__ = "adaptations"
    __table_args__ = (
        UniqueConstraint("course_id", "country_code"),
        CheckConstraint("status IN ('draft', 'review', 'published')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"), index=True)
    #: the country whose adaptation this one was started from, if any (the base link is kept either way)
    created_from: Mapped[str | None] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(12), default="draft")
    title: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    summary: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: the base version last reviewed: its item hashes are what "changed upstream" is measured against
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("course_versions.id"), index=True)
    base_hashes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  #: {path: {lang: hash}}
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    course: Mapped[Course] = relationship()
    overrides: Mapped[list[Override]] = relationship(
        back_populates="adaptation", order_by="Override.position", cascade="all, delete-orphan"
    )


class Override(db.Model):
    """One change of one base item for a country; ``target`` or (for an added item) ``after`` is a key path."""

    __tablename__ = "adaptation_overrides"
    __table_args__ = (CheckConstraint("kind IN ('replace', 'hide', 'add', 'settings')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    adaptation_id: Mapped[int] = mapped_column(ForeignKey("adaptations.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)  #: file order (added items are inserted in this order)
    kind: Mapped[str] = mapped_column(String(10))
    #: the item changed; for an added item put first in a module or quiz ("first_in"), that module or quiz
    target: Mapped[str | None] = mapped_column(String(300))
    after: Mapped[str | None] = mapped_column(String(300))  #: add: the item the added one follows
    field: Mapped[str | None] = mapped_column(String(30))  #: replace: the text field
    lang: Mapped[str | None] = mapped_column(String(5))  #: replace: the language
    text: Mapped[str | None] = mapped_column(Text)  #: replace: the country's text
    #: {lang: hash} of the base item when this override was written (replace: only ``lang``)
    base_hash: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: replace: the base text it was written against, for the three-way view (None when imported from a file)
    base_text: Mapped[str | None] = mapped_column(Text)
    #: add: the added item as in adaptation.yaml's ``add``; settings: {"pass_mark", "attempts"}
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    resolved_at: Mapped[datetime | None]  #: the last time a trainer settled a conflict on it
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    adaptation: Mapped[Adaptation] = relationship(back_populates="overrides")


class ReviewSubmission(db.Model):
    """A draft (base ``version_id``) or an adaptation sent for review; a different person approves it."""

    __tablename__ = "review_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"),
                                                      index=True)
    adaptation_id: Mapped[int | None] = mapped_column(ForeignKey("adaptations.id", ondelete="CASCADE"),
                                                         index=True)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    approved_at: Mapped[datetime | None]

    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])


class ReviewComment(db.Model):
    """A reviewer's comment on one item (``path``; "" = the whole course) of a draft or an adaptation."""

    __tablename__ = "review_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"),
                                                      index=True)
    adaptation_id: Mapped[int | None] = mapped_column(ForeignKey("adaptations.id", ondelete="CASCADE"),
                                                         index=True)
    path: Mapped[str] = mapped_column(String(300), default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()


class TranslationState(db.Model):
    """Which source-language text a translation was written against (item ``path`` of a course, one language)."""

    __tablename__ = "translation_states"
    __table_args__ = (UniqueConstraint("course_id", "path", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    path: Mapped[str] = mapped_column(String(300))
    lang: Mapped[str] = mapped_column(String(5))
    source_lang: Mapped[str] = mapped_column(String(5))
    source_hash: Mapped[str] = mapped_column(String(16))  #: item hash of the source language when translated
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
