"""Cohorts (a trainer's workshop group), report subscriptions and the xAPI outbox.

The indexes at the end of the module sit on the learner tables and match the statistics queries
(``services.py``): per-enrolment best quiz scores and learners active in a period.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..extensions import db, utcnow
from ..learn.models import Enrolment, LearningEvent, QuizAttempt
from ..places.models import Municipality


class Cohort(db.Model):
    """Learners a trainer groups together: one workshop in one municipality, with dates."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"), index=True)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"), index=True)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    municipality: Mapped[Municipality | None] = relationship()
    trainer: Mapped[User] = relationship()


class CohortMember(db.Model):
    __tablename__ = "cohort_members"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class ReportSubscription(db.Model):
    """A coordinator's monthly XLSX report for one country or one municipality."""

    __tablename__ = "report_subscriptions"
    __table_args__ = (UniqueConstraint("user_id", "country_code", "municipality_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"), index=True)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"), index=True)
    #: the last month ("YYYY-MM") a report was delivered for
    last_period: Mapped[str | None] = mapped_column(String(7))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    municipality: Mapped[Municipality | None] = relationship()


class XapiOutbox(db.Model):
    """A learning event waiting to be delivered to the external LRS as an xAPI statement."""

    __tablename__ = "xapi_outbox"
    __table_args__ = (CheckConstraint("attempts >= 0", name="attempts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("learning_events.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: the statement as last sent (kept for diagnosis)
    statement: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class StatsSnapshot(db.Model):
    """Every dashboard view without a period, computed in bulk by ``flask stats refresh`` (``snapshot.py``)."""

    __tablename__ = "stats_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    seconds: Mapped[float] = mapped_column(default=0.0)  #: how long the computation took
    row_count: Mapped[int] = mapped_column(default=0)


class StatsSnapshotRow(db.Model):
    """The figures of one row of one table (``grp``) of one place (the node) and one course (0 = all courses).

    The node is a place of the tree: ``node_level`` root, country, region or municipality, with its ancestors'
    keys (a region node has its country and region; ``""`` / 0 stand for a missing place)."""

    __tablename__ = "stats_snapshot_rows"
    __table_args__ = (Index("ix_stats_snapshot_rows_node", "snapshot_id", "course_id", "node_level", "node_country",
                            "node_region", "node_municipality"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("stats_snapshots.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(default=0)
    node_level: Mapped[str] = mapped_column(String(12))
    node_country: Mapped[str] = mapped_column(String(2), default="")
    node_region: Mapped[int] = mapped_column(default=0)
    node_municipality: Mapped[int] = mapped_column(default=0)
    grp: Mapped[str] = mapped_column(String(16))
    k0: Mapped[str] = mapped_column(String(64), default="")
    k1: Mapped[str] = mapped_column(String(64), default="")
    enrolled: Mapped[int] = mapped_column(default=0)
    started: Mapped[int] = mapped_column(default=0)
    completed: Mapped[int] = mapped_column(default=0)
    scored: Mapped[int] = mapped_column(default=0)
    active: Mapped[int] = mapped_column(default=0)
    avg_score: Mapped[float | None]
    median_score: Mapped[float | None]
    median_days: Mapped[float | None]


# Indexes on the learner tables, matching the statistics queries.
Index("ix_stats_quiz_attempts_best", QuizAttempt.enrolment_id, QuizAttempt.activity_path, QuizAttempt.score)
Index("ix_stats_learning_events_active", LearningEvent.created_at, LearningEvent.enrolment_id)
Index("ix_stats_enrolments_place", Enrolment.municipality_id, Enrolment.course_id, Enrolment.enrolled_at)
