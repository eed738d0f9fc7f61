"""What learners do: enrolments, progress per activity, quiz attempts and answers, completions, badges, events.

Everything refers to activities by their stable ``path`` ("module-key/activity-key"), never by database id, so
re-importing content or publishing a new version never loses a learner's progress.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..content.models import Course
from ..extensions import db, utcnow


class Enrolment(db.Model):
    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        Index("ix_enrolments_course_country", "course_id", "country_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    #: the country variant the learner follows (None = the base course)
    country_code: Mapped[Optional[str]] = mapped_column(ForeignKey("countries.code"), index=True)
    #: the learner's municipality when enrolling, so statistics per place need no join through users
    municipality_id: Mapped[Optional[int]] = mapped_column(ForeignKey("municipalities.id"), index=True)
    enrolled_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: the latest learning event or page view of the course (page views refresh it at most every few minutes)
    last_activity_at: Mapped[Optional[datetime]] = mapped_column(index=True)
    #: when the learner first opened an activity (a lesson or a quiz) of the course; enrolling alone is not starting
    started_at: Mapped[Optional[datetime]] = mapped_column(index=True)
    completed_at: Mapped[Optional[datetime]] = mapped_column(index=True)  #: copy of Completion.completed_at
    #: the mean over the course's quizzes of the learner's best submitted score (practice rounds left out);
    #: kept in the same transaction as each submission so statistics need not scan every attempt
    quiz_score: Mapped[Optional[float]]
    points: Mapped[int] = mapped_column(default=0)  #: playful courses: points earned

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    course: Mapped[Course] = relationship()


class ActivityProgress(db.Model):
    __tablename__ = "activity_progress"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "activity_path"),
        CheckConstraint("status IN ('in_progress', 'done')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    activity_path: Mapped[str] = mapped_column(String(130))
    status: Mapped[str] = mapped_column(String(12), default="in_progress")
    best_score: Mapped[Optional[float]]  #: quizzes: best percent so far
    time_spent_seconds: Mapped[int] = mapped_column(default=0)  #: approximate, server-side
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[Optional[datetime]]


class QuizAttempt(db.Model):
    """One attempt at a quiz: answers are saved on every page, submission happens once."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "activity_path", "number"),
        Index("ix_quiz_attempts_enrolment_activity", "enrolment_id", "activity_path"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    activity_path: Mapped[str] = mapped_column(String(130))
    version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    seed: Mapped[int] = mapped_column(default=0)  #: shuffling seed, so a resumed attempt keeps its order
    is_practice: Mapped[bool] = mapped_column(default=False)  #: mastery-rule practice round
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(index=True)
    score: Mapped[Optional[float]]  #: percent of graded points
    points: Mapped[Optional[float]]
    max_points: Mapped[Optional[float]]
    passed: Mapped[Optional[bool]]

    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt", order_by="AttemptAnswer.id", cascade="all, delete-orphan"
    )


class AttemptAnswer(db.Model):
    __tablename__ = "attempt_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_key", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"), index=True)
    question_key: Mapped[str] = mapped_column(String(64))
    round: Mapped[int] = mapped_column(default=0)  #: practice quizzes draw a question again: one row per draw
    response: Mapped[Any] = mapped_column(JSON)
    fraction: Mapped[Optional[float]]  #: 0..1, None for ungraded (reflection)
    earned: Mapped[Optional[float]]
    is_correct: Mapped[Optional[bool]]
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")


class Completion(db.Model):
    """A learner completed a course: one per learner and course, with a certificate verification code."""

    __tablename__ = "completions"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        Index("ix_completions_course_completed", "course_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), unique=True)
    country_code: Mapped[Optional[str]] = mapped_column(ForeignKey("countries.code"))
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)
    score: Mapped[Optional[float]]  #: mean of the best quiz scores, percent
    hours: Mapped[Optional[float]]
    certificate_code: Mapped[str] = mapped_column(String(24), unique=True)
    revoked_at: Mapped[Optional[datetime]]
    revoked_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    revoke_reason: Mapped[Optional[str]] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    course: Mapped[Course] = relationship()


class Badge(db.Model):
    __tablename__ = "badges"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  #: first-module, perfect-round, course-completed, …
    awarded_at: Mapped[datetime] = mapped_column(default=utcnow)


class LearningEvent(db.Model):
    """Something a learner did (launched, completed a lesson, answered, passed/failed, completed a course).

    Written in the same transaction as the change it records; statistics and xAPI statements are built from it.
    """

    __tablename__ = "learning_events"
    __table_args__ = (Index("ix_learning_events_course_created", "course_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    enrolment_id: Mapped[Optional[int]] = mapped_column(ForeignKey("enrolments.id"), index=True)
    #: course-launched | lesson-completed | question-answered | quiz-passed | quiz-failed | course-completed
    kind: Mapped[str] = mapped_column(String(30), index=True)
    activity_path: Mapped[Optional[str]] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  #: score, question key, response …
