"""Cohorts: a trainer's workshop group, its members and what they did (learner-level, for their trainer)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.sql import ColumnElement

from ..accounts.models import User
from ..accounts.permissions import Scope, can, scope
from ..accounts.services import InviteReport, invite_people, parse_invitations
from ..content.models import Activity, Course, Question
from ..extensions import db
from ..learn.models import ActivityProgress, AttemptAnswer, Enrolment, QuizAttempt
from ..places.models import Municipality
from .models import Cohort, CohortMember
from .services import StatsError, scope_clause


def cohorts_filter(user: Any) -> ColumnElement[bool]:
    """Cohorts ``user`` may open: those they teach, and every cohort of a country they coordinate."""
    return or_(Cohort.trainer_id == getattr(user, "id", None), scope_clause(user, Cohort.country_code))


def visible_cohorts(user: Any) -> list[Cohort]:
    return list(db.session.scalars(select(Cohort).where(cohorts_filter(user))
                                   .order_by(Cohort.starts_on.desc(), Cohort.name)))


def get_cohort(user: Any, cohort_id: int) -> Cohort | None:
    """The cohort if ``user`` may open it (a query filter: other cohorts are simply not found)."""
    return db.session.scalar(select(Cohort).where(Cohort.id == cohort_id, cohorts_filter(user)))


def create_cohort(*, name: str, municipality: Municipality, trainer: User, course: Course | None = None,
                  starts_on: date | None = None, ends_on: date | None = None) -> Cohort:
    if starts_on and ends_on and ends_on < starts_on:
        raise StatsError(_("The last day is before the first day."))
    cohort = Cohort(name=name.strip(), municipality_id=municipality.id, country_code=municipality.region.country_code,
                    course_id=course.id if course else None, starts_on=starts_on, ends_on=ends_on,
                    trainer_id=trainer.id)
    db.session.add(cohort)
    db.session.flush()
    return cohort


def add_members(cohort: Cohort, users: list[User]) -> int:
    existing = set(db.session.scalars(select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)))
    added = [CohortMember(cohort_id=cohort.id, user_id=u.id) for u in users if u.id not in existing]
    db.session.add_all(added)
    db.session.flush()
    return len(added)


def invite_to_cohort(cohort: Cohort, text: str, inviter: User) -> tuple[InviteReport, list[User]]:
    """The foundation's invitation flow, limited to the cohort's country; invitees join the cohort.

    Nothing is saved while a line is wrong (the report carries the errors).
    """
    allowed = Scope({cohort.country_code}) if can(inviter, "users.invite", cohort.country_code) else Scope()
    report = parse_invitations(text, allowed)
    if report.errors:
        return report, []
    users = invite_people(report, inviter)
    add_members(cohort, users)
    return report, users


@dataclass
class LearnerCourse:
    course_key: str
    enrolled_at: Any
    completed_at: Any
    done: int = 0
    quizzes: list[tuple[str, float | None, int]] = field(default_factory=list)  #: path, best score, attempts
    reflections: list[tuple[str, str, str]] = field(default_factory=list)  #: path, question key, answer


@dataclass
class MemberView:
    user: User
    courses: list[LearnerCourse] = field(default_factory=list)


def _answer_text(response: Any) -> str:
    if isinstance(response, str):
        return response
    if isinstance(response, dict):
        for key in ("text", "answer", "value"):
            if isinstance(response.get(key), str):
                return response[key]
    return "" if response is None else str(response)


def cohort_overview(cohort: Cohort) -> list[MemberView]:
    """Each member's progress, best quiz results and reflection answers (four statements)."""
    members = list(db.session.scalars(
        select(User).join(CohortMember, CohortMember.user_id == User.id)
        .where(CohortMember.cohort_id == cohort.id).order_by(User.name)
    ))
    views = {u.id: MemberView(u) for u in members}
    if not members:
        return []
    done = (select(ActivityProgress.enrolment_id, func.count().label("done"))
            .where(ActivityProgress.status == "done").group_by(ActivityProgress.enrolment_id).subquery())
    statement = (
        select(Enrolment.id, Enrolment.user_id, Course.key, Enrolment.enrolled_at, Enrolment.completed_at,
               func.coalesce(done.c.done, 0))
        .join(Course, Course.id == Enrolment.course_id)
        .outerjoin(done, done.c.enrolment_id == Enrolment.id)
        .where(Enrolment.user_id.in_(views))
        .order_by(Enrolment.user_id, Course.key)
    )
    if cohort.course_id:
        statement = statement.where(Enrolment.course_id == cohort.course_id)
    by_enrolment: dict[int, LearnerCourse] = {}
    for eid, uid, key, enrolled_at, completed_at, n_done in db.session.execute(statement):
        course = LearnerCourse(key, enrolled_at, completed_at, n_done)
        by_enrolment[eid] = course
        views[uid].courses.append(course)
    if by_enrolment:
        best = (
            select(QuizAttempt.enrolment_id, QuizAttempt.activity_path, func.max(QuizAttempt.score), func.count())
            .where(QuizAttempt.enrolment_id.in_(by_enrolment), QuizAttempt.submitted_at.is_not(None))
            .group_by(QuizAttempt.enrolment_id, QuizAttempt.activity_path)
            .order_by(QuizAttempt.enrolment_id, QuizAttempt.activity_path)
        )
        for eid, path, score, attempts in db.session.execute(best):
            by_enrolment[eid].quizzes.append((path, None if score is None else round(score, 1), attempts))
        reflections = (
            select(QuizAttempt.enrolment_id, QuizAttempt.activity_path, AttemptAnswer.question_key,
                   AttemptAnswer.response)
            .join(AttemptAnswer, AttemptAnswer.attempt_id == QuizAttempt.id)
            .join(Activity, and_(Activity.version_id == QuizAttempt.version_id,
                                 Activity.path == QuizAttempt.activity_path))
            .join(Question, and_(Question.activity_id == Activity.id, Question.key == AttemptAnswer.question_key))
            .where(QuizAttempt.enrolment_id.in_(by_enrolment), Question.type == "reflection")
            .order_by(QuizAttempt.enrolment_id, AttemptAnswer.answered_at)
        )
        for eid, path, question_key, response in db.session.execute(reflections):
            by_enrolment[eid].reflections.append((path, question_key, _answer_text(response)))
    return list(views.values())


def cohort_choices(user: Any) -> list[tuple[str, str]]:
    """Cohorts offered as a statistics filter: those in the user's statistics scope."""
    statement = select(Cohort.id, Cohort.name).where(scope_clause(user, Cohort.country_code)).order_by(Cohort.name)
    return [(str(i), name) for i, name in db.session.execute(statement)]


def coordinator_scope(user: Any) -> Scope:
    return scope(user, "coordinator")
