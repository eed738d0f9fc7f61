"""50 parallel submissions of the same attempt (double clicks, replays, flaky networks) record exactly one."""
from __future__ import annotations

import os
import threading

import pytest
import sqlalchemy as sa

PG_URL = os.environ.get("TEST_DATABASE_URL", "").strip()


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="set TEST_DATABASE_URL to run the PostgreSQL concurrency test")
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_fifty_parallel_submissions_record_one(app, db, example, learner, lh):
    from recosa_learn.learn.models import LearningEvent, QuizAttempt

    client, user = learner("MA", language="en")
    lh.post(client, "/courses/example-course/enrol")
    attempt = lh.attempt_id(lh.post(client, "/courses/example-course/basics/check/start"))
    token_page = f"/attempts/{attempt}/summary"
    from conftest import csrf_token

    token = csrf_token(client, token_page)
    cookie = client.get_cookie("session")
    barrier = threading.Barrier(50)
    statuses: list[int] = []
    lock = threading.Lock()

    def submit() -> None:
        worker = app.test_client()
        worker.set_cookie("session", cookie.value)
        barrier.wait()
        response = worker.post(f"/attempts/{attempt}/submit", data={"csrf_token": token})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=submit) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(statuses) == 50 and set(statuses) == {302}, statuses
    db.session.expire_all()
    row = db.session.get(QuizAttempt, attempt)
    assert row.submitted_at is not None
    events = db.session.scalar(sa.select(sa.func.count(LearningEvent.id)).where(
        LearningEvent.kind.in_(["quiz-passed", "quiz-failed"])))
    assert events == 1
