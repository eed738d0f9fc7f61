"""The demo activity: deterministic, realistic enough to show every figure, and idempotent."""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa


def _snapshot(db):
    from recosa_learn.learn.models import Completion, Enrolment, QuizAttempt

    return (db.session.scalar(sa.select(sa.func.count(Enrolment.id))),
            db.session.scalar(sa.select(sa.func.count(Completion.id))),
            db.session.scalar(sa.select(sa.func.sum(QuizAttempt.score))))


def test_seed_activity_is_deterministic(app, db, places, course_factory, make_user):
    from recosa_learn.stats import demo, services

    course_factory("migration-101")
    course_factory("youth-101")
    now = datetime(2025, 6, 1, tzinfo=UTC)
    counts = demo.seed_activity(seed=7, learners=120, now=now)
    db.session.commit()
    assert counts["users"] == 120 and counts["quiz_attempts"] > 100 and counts["completions"] > 20
    first = _snapshot(db)
    assert demo.seed_activity(seed=7, learners=120, now=now) == {}  # idempotent
    # the same seed gives the same data in a fresh database
    from conftest import _empty_tables

    _empty_tables()
    from recosa_learn.places.services import load_reference_data

    load_reference_data()
    db.session.commit()
    course_factory("migration-101")
    course_factory("youth-101")
    demo.seed_activity(seed=7, learners=120, now=now)
    db.session.commit()
    assert _snapshot(db) == first
    admin = make_user("admin", None)
    table = services.table(admin, services.parse_filters({}), "country", "fr", suppress=False)
    assert len(table.rows) == 4 and table.total.enrolled == first[0]
    assert {r.key[0] for r in services.table(admin, services.parse_filters({}), "sex", "fr").rows} >= {"female",
                                                                                                        "male"}
