"""What learners do, as services: catalog, enrolment, lesson pages and progress, completion, badges, certificates.

Services take models and plain values, flush and never commit (the view commits once). Pages are read in a
constant, small number of queries: the version a learner sees is chosen by a correlated subquery, the learner's
country is read by a scalar subquery, and a page's whole outline (modules, activities, the learner's progress)
comes back in one statement.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Optional

from sqlalchemy import String, and_, case, cast, func, literal, null, or_, select, type_coerce, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlalchemy.types import JSON

from ..accounts.models import User
from ..accounts.services import audit
from ..content.models import Activity, Course, CourseVersion, Module
from ..extensions import db, utcnow
from ..places.models import Country, Region
from .models import (
    ActivityProgress,
    Badge,
    Completion,
    Enrolment,
    LearningEvent,
    QuizAttempt,
)
from .texts import chain, pick

PUBLISHED = "published"
#: time between two page views counted as time spent, at most (a learner who left the tab does not read for hours)
TIME_CAP_SECONDS = 15 * 60
#: Enrolment.last_activity_at is refreshed by page views at most this often (a write per view is not worth it)
LAST_ACTIVITY_GRANULARITY = timedelta(minutes=10)
POINTS_PER_CORRECT = 10
BADGES = ("first-module", "perfect-round", "course-completed")
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  #: no 0/O or 1/I: codes are read aloud and typed


class LearnError(Exception):
    """A request a learner cannot do now (limit reached, not enrolled …), with a translated message."""


# --- who and where ---------------------------------------------------------------------------------------------

def learner_country(user: User) -> Any:
    """The learner's country as an SQL expression: their municipality's country, else their first granted country."""
    if user.municipality is not None:
        return select(Region.country_code).where(Region.id == user.municipality.region_id).scalar_subquery()
    granted = sorted(g.country_code for g in user.grants if g.country_code)
    return cast(literal(granted[0] if granted else None), String(2))  # typed: PostgreSQL must know a NULL's type


def current_version_id(course_id: Any, country: Any) -> Any:
    """Correlated subquery: the current published version of the course for ``country`` (its own, else the base)."""
    cv = aliased(CourseVersion)
    return (
        select(cv.id)
        .where(cv.course_id == course_id, cv.is_current.is_(True), cv.status == PUBLISHED,
               or_(cv.country_code.is_(None), cv.country_code == country))
        .order_by(cv.country_code.is_(None), cv.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _country_language(country: Any) -> Any:
    return select(Country.default_language).where(Country.code == country).scalar_subquery()


# --- catalog ---------------------------------------------------------------------------------------------------

@dataclass
class CatalogEntry:
    course: Course
    version: CourseVersion
    enrolment: Optional[Enrolment]
    completion: Optional[Completion] = None


def catalog(user: User, kind: Optional[str] = None, language: Optional[str] = None) -> list[CatalogEntry]:
    """Published courses of the learner's country (its variant, else the base), filtered by kind and language."""
    country = learner_country(user)
    stmt = (
        select(Course, CourseVersion, Enrolment)
        .select_from(Course)
        .join(CourseVersion, CourseVersion.id == current_version_id(Course.id, country))
        .outerjoin(Enrolment, and_(Enrolment.course_id == Course.id, Enrolment.user_id == user.id))
        .where(Course.is_retired.is_(False))
        .order_by(Course.kind, Course.key)
    )
    if kind:
        stmt = stmt.where(Course.kind == kind)
    rows = db.session.execute(stmt).all()
    return [CatalogEntry(course, version, enrolment) for course, version, enrolment in rows
            if not language or language in (course.languages or [course.default_language])]


# --- a course's outline with the learner's progress (one statement) ------------------------------------------

@dataclass
class Step:
    """One activity in a learner's outline."""

    path: str
    type: str
    title: dict
    module_key: str
    module_title: dict
    duration_minutes: Optional[int]
    settings: dict
    status: str = "not_started"  #: not_started | in_progress | done
    best_score: Optional[float] = None
    progress: Optional[ActivityProgress] = None


@dataclass
class Outline:
    """A course as one learner sees it: version, enrolment, activities in order with their progress."""

    course: Course
    version: CourseVersion
    enrolment: Optional[Enrolment]
    country: Optional[str]
    country_language: Optional[str]
    steps: list[Step] = field(default_factory=list)
    html: Optional[dict] = None  #: the HTML of the activity asked for (lessons)
    sources: Optional[list] = None

    def languages(self, lang: str) -> list[str]:
        return chain(lang, self.country_language, self.course.default_language,
                     self.course.languages or [])

    def index(self, path: str) -> Optional[int]:
        return next((i for i, s in enumerate(self.steps) if s.path == path), None)

    def step(self, path: str) -> Optional[Step]:
        i = self.index(path)
        return None if i is None else self.steps[i]

    def neighbours(self, path: str) -> tuple[Optional[Step], Optional[Step]]:
        i = self.index(path)
        if i is None:
            return None, None
        return (self.steps[i - 1] if i > 0 else None), (self.steps[i + 1] if i + 1 < len(self.steps) else None)

    @property
    def modules(self) -> list[tuple[str, dict, list[Step]]]:
        grouped: list[tuple[str, dict, list[Step]]] = []
        for step in self.steps:
            if not grouped or grouped[-1][0] != step.module_key:
                grouped.append((step.module_key, step.module_title, []))
            grouped[-1][2].append(step)
        return grouped

    @property
    def done_count(self) -> int:
        return sum(1 for s in self.steps if s.status == "done")

    @property
    def percent(self) -> int:
        return round(100 * self.done_count / len(self.steps)) if self.steps else 0

    @property
    def next_step(self) -> Optional[Step]:
        """Where "resume" goes: the first activity not done (the first one when all are done)."""
        return next((s for s in self.steps if s.status != "done"), self.steps[0] if self.steps else None)

    @property
    def lessons_on_view(self) -> bool:
        return (self.version.completion or {}).get("lessons") == "on_view"


def load_outline(user: User, course_key: str, html_for: Optional[str] = None) -> Optional[Outline]:
    """The course outline for ``user`` in one statement; with ``html_for``, that activity's lesson HTML too.

    Returns None when the course does not exist, is retired or has no published version for the learner.
    """
    country = learner_country(user)
    version_id = current_version_id(Course.id, country)
    wanted = Activity.path == (html_for or "")
    stmt = (
        select(Activity.path, Activity.type, Activity.title, Activity.duration_minutes, Activity.settings,
               Module.key, Module.title, CourseVersion, Course, Enrolment, ActivityProgress,
               country.label("country"), _country_language(country).label("country_language"),
               case((wanted, type_coerce(Activity.html, JSON)), else_=null()).label("html"),
               case((wanted, type_coerce(Activity.sources, JSON)), else_=null()).label("sources"))
        .select_from(Course)
        .join(CourseVersion, CourseVersion.id == version_id)
        .outerjoin(Activity, Activity.version_id == CourseVersion.id)
        .outerjoin(Module, Module.id == Activity.module_id)
        .outerjoin(Enrolment, and_(Enrolment.course_id == Course.id, Enrolment.user_id == user.id))
        .outerjoin(ActivityProgress, and_(ActivityProgress.enrolment_id == Enrolment.id,
                                          ActivityProgress.activity_path == Activity.path))
        .where(Course.key == course_key, Course.is_retired.is_(False))
        .order_by(Module.position, Activity.position)
    )
    rows = db.session.execute(stmt).all()
    if not rows:
        return None
    first = rows[0]
    outline = Outline(course=first.Course, version=first.CourseVersion, enrolment=first.Enrolment,
                      country=first.country, country_language=first.country_language)
    for row in rows:
        if row.path is None:
            continue
        progress = row.ActivityProgress
        outline.steps.append(Step(
            path=row.path, type=row.type, title=row[2] or {}, module_key=row.key, module_title=row[6] or {},
            duration_minutes=row.duration_minutes, settings=row.settings or {},
            status=progress.status if progress else "not_started",
            best_score=progress.best_score if progress else None, progress=progress))
        if row.path == html_for:
            outline.html, outline.sources = row.html or {}, row.sources or []
    return outline


# --- events ----------------------------------------------------------------------------------------------------

def record_event(enrolment: Enrolment, kind: str, path: Optional[str] = None, **data: Any) -> LearningEvent:
    """Write a learning event in the current transaction (the caller's change and its event commit together)."""
    now = utcnow()
    event = LearningEvent(user_id=enrolment.user_id, course_id=enrolment.course_id, enrolment_id=enrolment.id,
                          kind=kind, activity_path=path, data=data, created_at=now)
    db.session.add(event)
    # statistics count a learner as active in a period from this column, so it never lags behind an event
    if enrolment.last_activity_at is None or enrolment.last_activity_at < now:
        enrolment.last_activity_at = now
    return event


def _best_score_mean(enrolment_id: Any) -> Any:
    """SQL: the mean over quizzes of the best submitted, graded score of an enrolment (practice left out)."""
    best = (
        select(func.max(QuizAttempt.score).label("best"))
        .where(QuizAttempt.enrolment_id == enrolment_id, QuizAttempt.submitted_at.is_not(None),
               QuizAttempt.is_practice.is_(False), QuizAttempt.score.is_not(None))
        .group_by(QuizAttempt.activity_path)
        .correlate(Enrolment)
        .subquery("best")
    )
    return select(func.avg(best.c.best)).scalar_subquery()


def refresh_quiz_score(enrolment: Enrolment) -> None:
    """Recompute ``Enrolment.quiz_score`` after a submission (one indexed statement, same transaction)."""
    score = db.session.scalar(select(_best_score_mean(enrolment.id)))
    enrolment.quiz_score = None if score is None else float(score)


def rebuild_summaries(enrolment_ids: Optional[list[int]] = None) -> int:
    """Recompute every enrolment's quiz score and start from the stored rows (or only ``enrolment_ids``).

    The learner pages keep these up to date; this is for rows written by other means (imports, repairs).
    """
    first_view = (select(func.min(ActivityProgress.first_seen_at))
                  .where(ActivityProgress.enrolment_id == Enrolment.id).scalar_subquery())
    first_attempt = (select(func.min(QuizAttempt.started_at))
                     .where(QuizAttempt.enrolment_id == Enrolment.id).scalar_subquery())
    statement = update(Enrolment).values(
        quiz_score=_best_score_mean(Enrolment.id),
        started_at=func.coalesce(Enrolment.started_at, first_view, first_attempt, Enrolment.completed_at),
    )
    if enrolment_ids is not None:
        statement = statement.where(Enrolment.id.in_(enrolment_ids))
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    db.session.expire_all()
    return result.rowcount


# --- enrolment -------------------------------------------------------------------------------------------------

def enrol(user: User, outline: Outline) -> Enrolment:
    """Enrol ``user`` in the course of ``outline`` (idempotent; a concurrent double click yields one enrolment)."""
    if outline.enrolment is not None:
        return outline.enrolment
    now = utcnow()
    enrolment = Enrolment(user_id=user.id, course_id=outline.course.id, country_code=outline.version.country_code,
                          municipality_id=user.municipality_id, enrolled_at=now, last_activity_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(enrolment)
    except IntegrityError:
        existing = db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id,
                                                             Enrolment.course_id == outline.course.id))
        if existing is None:
            raise
        return existing
    record_event(enrolment, "course-launched", version=outline.version.id, country=outline.version.country_code)
    db.session.flush()
    outline.enrolment = enrolment
    return enrolment


# --- time and progress -----------------------------------------------------------------------------------------

def _insert(model: Any) -> Any:
    """An INSERT … ON CONFLICT for this database (SQLite and PostgreSQL share the syntax)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


def seen_delta(marker: Any, enrolment_id: int, now: datetime) -> Optional[tuple[str, int]]:
    """From the last page-view marker of the session: (path, seconds) to credit, when it is this enrolment's."""
    if not isinstance(marker, (list, tuple)) or len(marker) != 3 or marker[0] != enrolment_id:
        return None
    path, stamp = marker[1], marker[2]
    if not isinstance(path, str) or not isinstance(stamp, (int, float)):
        return None
    seconds = int(now.timestamp() - stamp)
    return path, max(0, min(seconds, TIME_CAP_SECONDS))


def make_marker(enrolment_id: int, path: str, now: datetime) -> list:
    return [enrolment_id, path, int(now.timestamp())]


def track_view(enrolment: Enrolment, path: str, previous: Optional[tuple[str, int]], now: datetime,
               done: bool = False) -> None:
    """One statement: the viewed activity's progress row (created, or marked seen/done) and the time credited to
    the previously viewed activity (the time between the two page views, capped)."""
    rows = [{"enrolment_id": enrolment.id, "activity_path": path, "status": "done" if done else "in_progress",
             "time_spent_seconds": previous[1] if previous and previous[0] == path else 0,
             "first_seen_at": now, "last_seen_at": now, "completed_at": now if done else None}]
    if previous and previous[0] != path and previous[1] > 0:
        rows.append({"enrolment_id": enrolment.id, "activity_path": previous[0], "status": "in_progress",
                     "time_spent_seconds": previous[1], "first_seen_at": now, "last_seen_at": now,
                     "completed_at": None})
    table = ActivityProgress.__table__
    stmt = _insert(table).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.enrolment_id, table.c.activity_path],
        set_={
            "time_spent_seconds": table.c.time_spent_seconds + stmt.excluded.time_spent_seconds,
            "last_seen_at": case((stmt.excluded.activity_path == path, stmt.excluded.last_seen_at),
                                 else_=table.c.last_seen_at),
            "status": case((stmt.excluded.status == "done", "done"), else_=table.c.status),
            "completed_at": func.coalesce(table.c.completed_at, stmt.excluded.completed_at),
        },
    )
    db.session.execute(stmt)
    touch(enrolment, now)


def credit_time(enrolment: Enrolment, previous: Optional[tuple[str, int]]) -> None:
    """Add the time since the last page view to the activity the learner was on (POSTs that leave a page)."""
    if not previous or previous[1] <= 0:
        return
    db.session.execute(
        update(ActivityProgress)
        .where(ActivityProgress.enrolment_id == enrolment.id, ActivityProgress.activity_path == previous[0])
        .values(time_spent_seconds=ActivityProgress.time_spent_seconds + previous[1])
    )


def touch(enrolment: Enrolment, now: datetime) -> None:
    """Refresh the enrolment's last activity, at most every few minutes."""
    last = enrolment.last_activity_at
    if last is None or now - last >= LAST_ACTIVITY_GRANULARITY:
        enrolment.last_activity_at = now
    if enrolment.started_at is None:
        enrolment.started_at = now


def progress_row(enrolment: Enrolment, path: str, now: Optional[datetime] = None) -> ActivityProgress:
    """The learner's progress row for an activity, created when missing."""
    row = db.session.scalar(select(ActivityProgress).where(ActivityProgress.enrolment_id == enrolment.id,
                                                           ActivityProgress.activity_path == path))
    if row is None:
        now = now or utcnow()
        row = ActivityProgress(enrolment_id=enrolment.id, activity_path=path, first_seen_at=now, last_seen_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            row = db.session.scalar(select(ActivityProgress).where(ActivityProgress.enrolment_id == enrolment.id,
                                                                   ActivityProgress.activity_path == path))
    return row


def complete_lesson(outline: Outline, step: Step, now: Optional[datetime] = None) -> bool:
    """Mark a lesson done (event, badges, course completion); False when it already was."""
    if step.status == "done":
        return False
    now = now or utcnow()
    row = step.progress or progress_row(outline.enrolment, step.path, now)
    if row.status == "done":
        return False
    row.status, row.completed_at, row.last_seen_at = "done", now, now
    step.status, step.progress = "done", row
    record_event(outline.enrolment, "lesson-completed", step.path)
    after_progress(outline, now)
    return True


def note_lesson_done_on_view(outline: Outline, step: Step, now: datetime) -> None:
    """The progress row was set to done by ``track_view``: record the event and what follows from it."""
    step.status = "done"
    record_event(outline.enrolment, "lesson-completed", step.path)
    after_progress(outline, now)


# --- completion and badges -------------------------------------------------------------------------------------

def required_paths(outline: Outline) -> list[str]:
    required = (outline.version.completion or {}).get("required", "all")
    paths = [s.path for s in outline.steps]
    if required == "all" or not isinstance(required, list):
        return paths
    return [p for p in required if p in paths]  # an item hidden in this country is not required here


def after_progress(outline: Outline, now: datetime) -> Optional[Completion]:
    """After an activity is done: badges of a playful course, and the course's completion when its rule is met."""
    enrolment = outline.enrolment
    if outline.course.is_playful:
        for _key, _title, steps in outline.modules:
            if steps and all(s.status == "done" for s in steps):
                award_badge(enrolment, "first-module")
                break
    required = required_paths(outline)
    status = {s.path: s.status for s in outline.steps}
    if required and all(status.get(p) == "done" for p in required):
        return complete_course(outline, now)
    return None


def award_badge(enrolment: Enrolment, kind: str) -> bool:
    """Give a badge once (the database's unique constraint settles races)."""
    exists = db.session.scalar(select(Badge.id).where(Badge.user_id == enrolment.user_id,
                                                      Badge.course_id == enrolment.course_id, Badge.kind == kind))
    if exists:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(Badge(user_id=enrolment.user_id, course_id=enrolment.course_id, kind=kind))
    except IntegrityError:
        return False
    return True


def new_certificate_code() -> str:
    return "-".join("".join(secrets.choice(_CODE_ALPHABET) for _ in range(4)) for _ in range(3))


def complete_course(outline: Outline, now: datetime) -> Completion:
    """One Completion per learner and course: a concurrent second request finds the first one's row."""
    enrolment = outline.enrolment
    existing = db.session.scalar(select(Completion).where(Completion.user_id == enrolment.user_id,
                                                          Completion.course_id == enrolment.course_id))
    if existing is not None:
        return existing
    scores = [s.best_score for s in outline.steps if s.type == "quiz" and s.best_score is not None]
    duration = outline.version.duration_minutes
    completion = Completion(
        user_id=enrolment.user_id, course_id=enrolment.course_id, enrolment_id=enrolment.id,
        country_code=outline.country or outline.version.country_code, completed_at=now,
        score=round(sum(scores) / len(scores), 1) if scores else None,
        hours=round(duration / 60, 2) if duration else None, certificate_code=new_certificate_code())
    try:
        with db.session.begin_nested():
            db.session.add(completion)
    except IntegrityError:
        existing = db.session.scalar(select(Completion).where(Completion.user_id == enrolment.user_id,
                                                              Completion.course_id == enrolment.course_id))
        if existing is None:
            raise
        return existing
    enrolment.completed_at = now
    record_event(enrolment, "course-completed", score=completion.score, hours=completion.hours,
                 certificate=completion.certificate_code)
    if outline.course.is_playful:
        award_badge(enrolment, "course-completed")
    return completion


def find_completion(enrolment: Enrolment) -> Optional[Completion]:
    return db.session.scalar(select(Completion).where(Completion.user_id == enrolment.user_id,
                                                      Completion.course_id == enrolment.course_id))


# --- dashboard -------------------------------------------------------------------------------------------------

@dataclass
class DashboardCourse:
    outline: Outline
    completion: Optional[Completion]
    open_attempt_id: Optional[int] = None


@dataclass
class Dashboard:
    in_progress: list[DashboardCourse]
    completed: list[DashboardCourse]
    badges: list[tuple[Badge, Course]]

    def title(self, course_id: int) -> dict:
        """A course's title texts (badges name the course they were won in)."""
        for entry in self.in_progress + self.completed:
            if entry.outline.course.id == course_id:
                return entry.outline.version.title or {}
        return {}


def dashboard_context(user: User, lang: str) -> dict[str, Any]:
    """What ``learn/_dashboard.html`` needs, for any page that includes it (the learner's home page)."""
    return {"board": dashboard(user), "languages": chain(lang, None, "fr")}


def dashboard(user: User) -> Dashboard:
    """The learner's courses, progress, certificates and badges, in a constant number of queries."""
    country = learner_country(user)
    heads = db.session.execute(
        select(Enrolment, Course, CourseVersion, Completion, country.label("country"))
        .select_from(Enrolment)
        .join(Course, Course.id == Enrolment.course_id)
        .join(CourseVersion, CourseVersion.id == current_version_id(Course.id, country))
        .outerjoin(Completion, and_(Completion.user_id == Enrolment.user_id, Completion.course_id == Course.id))
        .where(Enrolment.user_id == user.id)
        .order_by(Enrolment.last_activity_at.desc(), Enrolment.id.desc())
    ).all()
    outlines: dict[int, DashboardCourse] = {}
    for enrolment, course, version, completion, cc in heads:
        outline = Outline(course=course, version=version, enrolment=enrolment, country=cc, country_language=None)
        outlines[version.id] = DashboardCourse(outline, completion)
    if outlines:
        rows = db.session.execute(
            select(Activity.version_id, Activity.path, Activity.type, Activity.title, Module.key, Module.title,
                   ActivityProgress.status, ActivityProgress.best_score)
            .select_from(Activity)
            .join(Module, Module.id == Activity.module_id)
            .join(CourseVersion, CourseVersion.id == Activity.version_id)
            .join(Enrolment, and_(Enrolment.user_id == user.id, Enrolment.course_id == CourseVersion.course_id))
            .outerjoin(ActivityProgress, and_(ActivityProgress.enrolment_id == Enrolment.id,
                                              ActivityProgress.activity_path == Activity.path))
            .where(Activity.version_id.in_(list(outlines)))
            .order_by(Activity.version_id, Module.position, Activity.position)
        ).all()
        for row in rows:
            outlines[row.version_id].outline.steps.append(Step(
                path=row.path, type=row.type, title=row[3] or {}, module_key=row.key, module_title=row[5] or {},
                duration_minutes=None, settings={}, status=row.status or "not_started", best_score=row.best_score))
        open_attempts = db.session.execute(
            select(QuizAttempt.enrolment_id, QuizAttempt.activity_path, func.max(QuizAttempt.id))
            .select_from(QuizAttempt)
            .join(Enrolment, Enrolment.id == QuizAttempt.enrolment_id)
            .where(Enrolment.user_id == user.id, QuizAttempt.submitted_at.is_(None))
            .group_by(QuizAttempt.enrolment_id, QuizAttempt.activity_path)
        ).all()
        for entry in outlines.values():
            nxt = entry.outline.next_step
            for enrolment_id, path, attempt_id in open_attempts:
                if nxt and enrolment_id == entry.outline.enrolment.id and path == nxt.path:
                    entry.open_attempt_id = attempt_id
    badges = db.session.execute(
        select(Badge, Course).select_from(Badge).join(Course, Course.id == Badge.course_id)
        .where(Badge.user_id == user.id).order_by(Badge.awarded_at)
    ).all()
    entries = list(outlines.values())
    return Dashboard(in_progress=[e for e in entries if e.completion is None],
                     completed=[e for e in entries if e.completion is not None],
                     badges=[(b, c) for b, c in badges])


# --- certificates ----------------------------------------------------------------------------------------------

def find_certificate(code: str) -> Optional[tuple[Completion, User, Course, Optional[CourseVersion]]]:
    """A completion by its certificate code, with the learner, the course and the version they followed."""
    code = (code or "").strip().upper()
    if not code or len(code) > 24:
        return None
    row = db.session.execute(
        select(Completion, User, Course, CourseVersion)
        .select_from(Completion)
        .join(User, User.id == Completion.user_id)
        .join(Course, Course.id == Completion.course_id)
        .join(Enrolment, Enrolment.id == Completion.enrolment_id)
        .outerjoin(CourseVersion, CourseVersion.id == current_version_id(Course.id, Enrolment.country_code))
        .where(Completion.certificate_code == code)
    ).first()
    return tuple(row) if row else None


def revoke_certificate(completion: Completion, actor: User, reason: str) -> None:
    """Revoke a certificate with a reason, recorded in the audit trail."""
    if completion.revoked_at is not None:
        raise LearnError("already revoked")
    completion.revoked_at = utcnow()
    completion.revoked_by_id = actor.id
    completion.revoke_reason = reason
    audit(actor, "certificate.revoke", completion, country=completion.country_code,
          code=completion.certificate_code, reason=reason)


def title_of(texts: dict, languages: list[str]) -> str:
    return pick(texts, languages).text
