"""Fixtures of the statistics tests: a tiny course factory and a hand-computable set of learners."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from conftest import municipality

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def course_factory(app):
    """``course_factory('key')`` → a published Course with one lesson and one quiz (a graded + a reflection question)."""
    from recosa_learn.content.models import (
        Activity,
        Course,
        CourseVersion,
        Module,
        Question,
    )
    from recosa_learn.extensions import db

    def factory(key: str = "migration-101", country: str | None = None):
        course = db.session.scalar(sa.select(Course).where(Course.key == key))
        if course is None:
            course = Course(key=key, kind="training-model", languages=["fr"], required_languages=["fr"])
            db.session.add(course)
            db.session.flush()
        version = CourseVersion(course_id=course.id, country_code=country, status="published", is_current=True,
                                title={"fr": f"Cours {key}", "en": f"Course {key}"})
        db.session.add(version)
        db.session.flush()
        module = Module(version_id=version.id, key="m1", title={"fr": "Module 1"})
        db.session.add(module)
        db.session.flush()
        lesson = Activity(version_id=version.id, module_id=module.id, key="intro", path="m1/intro", type="lesson",
                          title={"fr": "Intro"}, sequence=1)
        quiz = Activity(version_id=version.id, module_id=module.id, key="quiz", path="m1/quiz", type="quiz",
                        title={"fr": "Quiz"}, sequence=2)
        db.session.add_all([lesson, quiz])
        db.session.flush()
        db.session.add_all([
            Question(activity_id=quiz.id, key="q1", type="single_choice", text={"fr": "?"}),
            Question(activity_id=quiz.id, key="reflect", type="reflection", text={"fr": "Qu'en pensez-vous ?"}),
        ])
        db.session.commit()
        return course, version

    return factory


def add_learner(make_user, course, version, *, town: str, sex=None, started=True, completed_days=None,
                scores=(), reflection=None, offset_days=0, events=True):
    """One learner enrolled in ``course`` living in ``town``, with attempts, a completion and events."""
    from recosa_learn.extensions import db
    from recosa_learn.learn.services import rebuild_summaries
    from recosa_learn.learn.models import (
        AttemptAnswer,
        Completion,
        Enrolment,
        LearningEvent,
        QuizAttempt,
    )

    user = make_user("trainee", "MA", sex=sex)
    place = municipality(town)
    user.municipality_id = place.id
    enrolled = T0 + timedelta(days=offset_days)
    enrolment = Enrolment(user_id=user.id, course_id=course.id, country_code=None, municipality_id=place.id,
                          enrolled_at=enrolled, last_activity_at=enrolled + timedelta(days=1) if started else None,
                          started_at=enrolled + timedelta(days=1) if started else None)
    db.session.add(enrolment)
    db.session.flush()
    for number, score in enumerate(scores, start=1):
        attempt = QuizAttempt(enrolment_id=enrolment.id, activity_path="m1/quiz", version_id=version.id,
                              number=number, started_at=enrolled, submitted_at=enrolled + timedelta(hours=number),
                              score=score, passed=score >= 70)
        db.session.add(attempt)
        db.session.flush()
        if reflection and number == 1:
            db.session.add(AttemptAnswer(attempt_id=attempt.id, question_key="reflect", response=reflection))
    if started and events:
        db.session.add(LearningEvent(user_id=user.id, course_id=course.id, enrolment_id=enrolment.id,
                                     kind="course-launched", created_at=enrolled + timedelta(days=1)))
    if completed_days is not None:
        done = enrolled + timedelta(days=completed_days)
        enrolment.completed_at = done
        db.session.add(Completion(user_id=user.id, course_id=course.id, enrolment_id=enrolment.id,
                                  completed_at=done, certificate_code=f"C{enrolment.id:06d}"))
    db.session.flush()
    rebuild_summaries([enrolment.id])  # the quiz score the learner pages keep up to date
    db.session.commit()
    return user


@pytest.fixture
def stats_world(app, make_user, course_factory):
    """Hand-computable learners: Oujda (6), Salé (2) in Morocco; Kaolack (5) in Senegal. See test_stats_figures."""
    course, version = course_factory()
    oujda = [
        dict(sex="female", completed_days=10, scores=(60, 80), reflection="Très utile"),
        dict(sex="female", completed_days=20, scores=(90,)),
        dict(sex="female", completed_days=30, scores=(70,)),
        dict(sex="male", scores=(50,)),
        dict(sex="male"),
        dict(sex=None, started=False),
    ]
    users = [add_learner(make_user, course, version, town="MA-OUJDA", offset_days=i, **spec)
             for i, spec in enumerate(oujda)]
    users += [add_learner(make_user, course, version, town="MA-SALE", sex="female", completed_days=5, scores=(100,)),
              add_learner(make_user, course, version, town="MA-SALE", sex="male", started=False)]
    users += [add_learner(make_user, course, version, town="SN-KAOLACK", sex="female", completed_days=2,
                          scores=(60,), offset_days=40) for _ in range(5)]
    return {"course": course, "version": version, "users": users, "course_id": course.id,
            "version_id": version.id}


@pytest.fixture
def add_learner_to(make_user, stats_world):
    """``add_learner_to('MA-FES', completed_days=3, scores=(88,))`` → one more learner in the stats world."""

    from recosa_learn.content.models import Course, CourseVersion
    from recosa_learn.extensions import db

    def factory(town: str, **spec):
        course = db.session.get(Course, stats_world["course_id"])
        version = db.session.get(CourseVersion, stats_world["version_id"])
        return add_learner(make_user, course, version, town=town, **spec)

    return factory


@pytest.fixture
def learner_factory(make_user):
    """``learner_factory(course, version, town='MA-FES', …)`` → one learner of any course (see ``add_learner``)."""

    def factory(course, version, **spec):
        return add_learner(make_user, course, version, **spec)

    return factory
