"""The per-enrolment summary statistics read (start, last activity, mean of best quiz scores) stays true to the rows
it summarises, whatever the learner does on the web, and ``rebuild_summaries`` recomputes the same values."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from recosa_learn.quiz.scoring import correct_response


def _enrolment(db, user):
    from recosa_learn.learn.models import Enrolment

    db.session.expire_all()
    return db.session.scalar(sa.select(Enrolment).where(Enrolment.user_id == user.id))


def _submit(client, lh, user, responses) -> int:
    response = lh.post(client, "/courses/example-course/basics/check/start")
    attempt = lh.attempt_id(response)
    ctx = lh.load_ctx(user, attempt)
    for n, key in enumerate(ctx.order, start=1):
        model = ctx.models[key]
        url = f"/attempts/{attempt}/{n}"
        if model.type == "scenario":
            path = []
            for choice in responses(model) or []:
                lh.post(client, url, {"choice": lh.choice_token(ctx, key, path, choice)}, token_page=url)
                path.append(choice)
            continue
        answer = responses(model)
        if answer is None:
            continue
        data = {"answer": "Oui"} if model.type == "reflection" else lh.form_for(ctx, key, answer)
        lh.post(client, url, data, token_page=url)
    assert lh.post(client, f"/attempts/{attempt}/submit").status_code == 302
    return attempt


def test_enrolling_is_not_starting_opening_an_activity_is(example, learner, lh, db):
    client, user = learner("MA", language="en")
    lh.post(client, "/courses/example-course/enrol")
    enrolment = _enrolment(db, user)
    assert enrolment.started_at is None and enrolment.last_activity_at is not None
    client.get("/courses/example-course/basics/words")
    enrolment = _enrolment(db, user)
    assert enrolment.started_at is not None and enrolment.quiz_score is None


def test_quiz_score_is_the_mean_of_best_scores_kept_at_each_submission(example, learner, lh, db):
    from recosa_learn.learn.models import LearningEvent, QuizAttempt
    from recosa_learn.learn.services import rebuild_summaries

    client, user = learner("MA", language="en")
    lh.post(client, "/courses/example-course/enrol")
    first = _submit(client, lh, user, lambda q: None)  # nothing answered: 0
    enrolment = _enrolment(db, user)
    assert enrolment.quiz_score == 0.0
    _submit(client, lh, user, correct_response)  # all right: the best is now 100
    enrolment = _enrolment(db, user)
    assert enrolment.quiz_score == 100.0
    _submit(client, lh, user, lambda q: None)  # a worse attempt later does not lower the best
    enrolment = _enrolment(db, user)
    assert enrolment.quiz_score == 100.0
    latest = db.session.scalar(sa.select(sa.func.max(LearningEvent.created_at))
                               .where(LearningEvent.enrolment_id == enrolment.id))
    assert enrolment.last_activity_at >= latest
    # recomputing from the stored attempts gives the same; a practice round does not count
    db.session.add(QuizAttempt(enrolment_id=enrolment.id, activity_path="practice/bank", version_id=db.session.get(
        QuizAttempt, first).version_id, number=1, is_practice=True, started_at=enrolment.enrolled_at,
        submitted_at=enrolment.enrolled_at + timedelta(minutes=1), score=40.0))
    enrolment.quiz_score = None
    db.session.commit()
    assert rebuild_summaries([enrolment.id]) == 1
    db.session.commit()
    assert _enrolment(db, user).quiz_score == 100.0


def test_rebuild_summaries_fills_rows_written_by_other_means(example, learner, lh, db):
    from recosa_learn.learn.models import ActivityProgress, QuizAttempt
    from recosa_learn.learn.services import rebuild_summaries

    client, user = learner("MA", language="en")
    lh.post(client, "/courses/example-course/enrol")
    enrolment = _enrolment(db, user)
    version_id = db.session.scalar(sa.text("SELECT id FROM course_versions WHERE is_current LIMIT 1"))
    seen = enrolment.enrolled_at + timedelta(hours=2)
    db.session.add(ActivityProgress(enrolment_id=enrolment.id, activity_path="basics/words", first_seen_at=seen,
                                    last_seen_at=seen))
    for number, (path, score) in enumerate([("basics/check", 50.0), ("basics/check", 70.0), ("other/quiz", 90.0),
                                            ("other/quiz", None)], start=1):
        db.session.add(QuizAttempt(enrolment_id=enrolment.id, activity_path=path, version_id=version_id,
                                   number=number, started_at=seen, score=score,
                                   submitted_at=seen + timedelta(minutes=number) if score is not None else None))
    db.session.commit()
    rebuild_summaries()
    db.session.commit()
    enrolment = _enrolment(db, user)
    assert enrolment.quiz_score == 80.0  # (70 + 90) / 2: the best of each quiz, unsubmitted left out
    assert enrolment.started_at == seen
