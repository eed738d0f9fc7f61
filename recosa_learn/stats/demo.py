"""Realistic sample learning activity for the demo (and, at scale, for the benchmark).

``seed_activity()`` adds a few hundred learners across the demo municipalities with enrolments, quiz attempts,
reflections, completions and learning events over the past year. Deterministic (``random.Random(seed)``: the same
seed gives the same learners and figures, dates relative to ``now``) and fast (bulk inserts in batches, ids
assigned here). It uses the courses already in the database (their current base versions); with no course it
adds nothing.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text

from ..accounts.models import AGE_BANDS, PROFILES, RoleGrant, User
from ..content.models import Activity, CourseVersion
from ..extensions import db, utcnow
from ..learn.models import (
    ActivityProgress,
    AttemptAnswer,
    Completion,
    Enrolment,
    LearningEvent,
    QuizAttempt,
)
from ..places.models import Municipality, Region

SEX_WEIGHTS = (("female", 48), ("male", 44), ("other", 1), ("undisclosed", 3), (None, 4))
AGE_WEIGHTS = tuple(zip((*AGE_BANDS, None), (3, 26, 30, 18, 10, 5, 3, 5)))
PROFILE_WEIGHTS = tuple(zip((*PROFILES, None), (18, 22, 20, 20, 8, 4, 3, 5)))
REFLECTIONS = ("Cette formation m'aide dans mon travail à la mairie.", "Utile pour accueillir les migrants.",
               "J'aimerais plus d'exemples pratiques.", "Le module sur les droits était clair.",
               "This changed how our office receives returnees.", "مفيد جدا لعملنا اليومي")


@dataclass
class CourseInfo:
    course_id: int
    version_id: int
    lessons: list[str] = field(default_factory=list)
    quizzes: list[str] = field(default_factory=list)


@dataclass
class Town:
    id: int
    country_code: str


def _pick(rng: random.Random, weighted: Sequence[tuple[Any, int]]) -> Any:
    values, weights = zip(*weighted)
    return rng.choices(values, weights)[0]


def current_courses() -> list[CourseInfo]:
    """The current base version of each course, with its lesson and quiz paths (two statements)."""
    versions = {v.id: CourseInfo(v.course_id, v.id) for v in db.session.scalars(
        select(CourseVersion).where(CourseVersion.country_code.is_(None), CourseVersion.is_current.is_(True))
        .order_by(CourseVersion.course_id))}
    if not versions:
        return []
    for version_id, path, kind in db.session.execute(
        select(Activity.version_id, Activity.path, Activity.type).where(Activity.version_id.in_(versions))
        .order_by(Activity.version_id, Activity.sequence)
    ):
        (versions[version_id].quizzes if kind == "quiz" else versions[version_id].lessons).append(path)
    return list(versions.values())


def _next_id(model: Any) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


class _Writer:
    """Rows collected per table and inserted in batches (executemany)."""

    def __init__(self, batch: int) -> None:
        self.batch, self.rows, self.counts = batch, {}, {}
        self.order = [User, RoleGrant, Enrolment, ActivityProgress, QuizAttempt, AttemptAnswer, Completion,
                      LearningEvent]

    def add(self, model: Any, row: dict) -> None:
        rows = self.rows.setdefault(model, [])
        rows.append(row)
        if len(rows) >= self.batch:
            self.flush(upto=model)

    def flush(self, upto: Any = None) -> None:
        # parents first, so foreign keys hold at every step
        for model in self.order:
            rows = self.rows.get(model)
            if rows:
                db.session.execute(insert(model.__table__), rows)
                self.counts[model.__tablename__] = self.counts.get(model.__tablename__, 0) + len(rows)
                self.rows[model] = []
            if model is upto:
                break


def generate(n_learners: int, towns: Sequence[Town], courses: Sequence[CourseInfo], *, seed: int,
             now: datetime, email_domain: str, max_attempts: int = 3, days: int = 365, batch: int = 5000,
             progress: Callable[[int], Any] | None = None) -> dict[str, int]:
    """Insert ``n_learners`` learners with their whole learning history; returns row counts per table."""
    rng = random.Random(seed)
    writer = _Writer(batch)
    ids = {m: _next_id(m) for m in (User, RoleGrant, Enrolment, QuizAttempt, LearningEvent)}
    completion_id = _next_id(Completion)

    def new_id(model: Any) -> int:
        ids[model] += 1
        return ids[model] - 1

    for n in range(n_learners):
        town = rng.choice(towns)
        uid = new_id(User)
        created = now - timedelta(days=rng.uniform(0, days), seconds=rng.randint(0, 86399))
        writer.add(User, {"id": uid, "email": f"learner{seed}.{n:06d}@{email_domain}", "name": f"Learner {n:06d}",
                          "language": "fr", "municipality_id": town.id, "sex": _pick(rng, SEX_WEIGHTS),
                          "age_band": _pick(rng, AGE_WEIGHTS), "profile": _pick(rng, PROFILE_WEIGHTS),
                          "is_active": True, "session_salt": f"demo{uid}", "created_at": created,
                          "updated_at": created})
        writer.add(RoleGrant, {"id": new_id(RoleGrant), "user_id": uid, "role": "trainee", "country_code": None,
                               "created_at": created})
        chosen = rng.sample(list(courses), k=min(len(courses), 1 + (rng.random() < 0.35) + (rng.random() < 0.1)))
        for course in chosen:
            eid = new_id(Enrolment)
            enrolled = created + timedelta(hours=rng.uniform(0, 72))
            if enrolled > now:
                enrolled = now - timedelta(minutes=5)
            started = rng.random() < 0.85
            span = max((now - enrolled).total_seconds(), 60)
            moments = sorted(enrolled + timedelta(seconds=rng.uniform(60, span)) for _ in range(4))
            completes = started and rng.random() < 0.6 and moments[-1] < now
            completed_at = moments[-1] if completes else None
            enrolment = {"id": eid, "user_id": uid, "course_id": course.course_id, "country_code": None,
                         "municipality_id": town.id, "enrolled_at": enrolled, "points": 0,
                         "last_activity_at": None, "started_at": None, "completed_at": completed_at,
                         "quiz_score": None}
            # the enrolment goes in first (foreign keys), with the summary the learner pages would have kept
            children: list[tuple[Any, dict]] = []
            if started:
                children.append((LearningEvent, {"id": new_id(LearningEvent), "created_at": moments[0],
                                                 "user_id": uid, "course_id": course.course_id, "enrolment_id": eid,
                                                 "kind": "course-launched", "activity_path": None, "data": {}}))
                _history(rng, course, eid, uid, moments, completes, completed_at, max_attempts, seed, children,
                         new_id, completion_id)
                if completes:
                    completion_id += 1
                enrolment["started_at"] = moments[0]
                enrolment["last_activity_at"] = max(row["created_at"] for model, row in children
                                                    if model is LearningEvent)
                bests = [row["score"] for model, row in children if model is _BEST]
                enrolment["quiz_score"] = sum(bests) / len(bests) if bests else None
            writer.add(Enrolment, enrolment)
            for model, row in children:
                if model is not _BEST:
                    writer.add(model, row)
        if progress and n % 1000 == 999:
            progress(1000)
    writer.flush()
    _advance_sequences((User, RoleGrant, Enrolment, QuizAttempt, LearningEvent, Completion))
    return writer.counts


def _advance_sequences(models: Sequence[Any]) -> None:
    """Ids were given here, so PostgreSQL's id sequences must move past them (SQLite needs nothing)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        table = model.__tablename__
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"GREATEST((SELECT MAX(id) FROM {table}), 1))"))



class _BEST:  # a marker: a quiz's best score, not a row
    pass


def _history(rng: random.Random, course: CourseInfo, eid: int, uid: int, moments: list[datetime], completes: bool,
             completed_at: datetime | None, max_attempts: int, seed: int, children: list, new_id: Callable,
             completion_id: int) -> None:
    """Progress, attempts, reflections, the completion and the events of one started enrolment."""
    lessons = course.lessons if completes else course.lessons[: rng.randint(0, len(course.lessons))]
    for path in lessons:
        children.append((ActivityProgress, {"enrolment_id": eid, "activity_path": path, "status": "done",
                                            "time_spent_seconds": rng.randint(120, 1800),
                                            "first_seen_at": moments[0], "last_seen_at": moments[1],
                                            "completed_at": moments[1]}))
    quizzes = course.quizzes if completes else course.quizzes[: rng.randint(0, len(course.quizzes))]
    best_scores = []
    ability = rng.gauss(72, 14)
    for path in quizzes:
        best = 0.0
        for number in range(1, rng.randint(1, max_attempts) + 1):
            score = round(max(0.0, min(100.0, rng.gauss(ability + 6 * number, 12))), 1)
            if completes and number == 1:
                score = max(score, 70.0)
            aid = new_id(QuizAttempt)
            at = moments[1] + timedelta(minutes=10 * number)
            children.append((QuizAttempt, {"id": aid, "enrolment_id": eid, "activity_path": path,
                                           "version_id": course.version_id, "number": number, "seed": aid,
                                           "is_practice": False, "started_at": at, "submitted_at": at,
                                           "score": score, "points": score / 10, "max_points": 10.0,
                                           "passed": score >= 70}))
            children.append((LearningEvent, {"id": new_id(LearningEvent), "created_at": at, "user_id": uid,
                                             "course_id": course.course_id, "enrolment_id": eid,
                                             "kind": "quiz-passed" if score >= 70 else "quiz-failed",
                                             "activity_path": path, "data": {"score": score}}))
            if number == 1 and rng.random() < 0.3:
                children.append((AttemptAnswer, {"attempt_id": aid, "question_key": "reflection", "round": 0,
                                                 "response": rng.choice(REFLECTIONS), "answered_at": at}))
            best = max(best, score)
            if score >= 70:
                break
        best_scores.append(best)
        children.append((_BEST, {"score": best}))
    if completes:
        children.append((Completion, {"id": completion_id, "user_id": uid, "course_id": course.course_id,
                                      "enrolment_id": eid, "country_code": None, "completed_at": completed_at,
                                      "score": round(sum(best_scores) / len(best_scores), 1) if best_scores
                                      else None, "hours": round(rng.uniform(2, 12), 1),
                                      "certificate_code": f"D{seed % 10000:04d}{completion_id:08d}"}))
        children.append((LearningEvent, {"id": new_id(LearningEvent), "created_at": completed_at, "user_id": uid,
                                         "course_id": course.course_id, "enrolment_id": eid,
                                         "kind": "course-completed", "activity_path": None, "data": {}}))


def seed_activity(seed: int = 2025, learners: int = 300, now: datetime | None = None) -> dict[str, int]:
    """Sample activity across the active municipalities; idempotent per seed (a second run adds nothing)."""
    courses = current_courses()
    domain = "demo.invalid"
    if not courses or db.session.scalar(select(User.id).where(User.email == f"learner{seed}.000000@{domain}")):
        return {}
    towns = [Town(i, cc) for i, cc in db.session.execute(
        select(Municipality.id, Region.country_code).join(Region).where(Municipality.is_active.is_(True))
        .order_by(Municipality.id))]
    if not towns:
        return {}
    counts = generate(learners, towns, courses, seed=seed, now=now or utcnow(), email_domain=domain)
    db.session.flush()
    return counts
