"""Quizzes through the web forms: every question type right and wrong, resuming, submitting once, limits, review."""
from __future__ import annotations

import re

import sqlalchemy as sa

from recosa_learn.quiz.scoring import correct_response

WRONG = {
    "q-place": "dakar",
    "q-members": ["morocco"],
    "q-binding": True,
    "q-city": "Dakar",
    "q-objectives": "5",
    "q-match": {"ecowas": "compact", "compact": "ecowas"},
    "q-order": ["compact", "protocol"],
    "q-blanks": {"count": "12", "binding": "known"},
    "q-scenario": ["unsure", "give-up"],
    "sn-q1": False,
}


def _settings(db, path: str, **changes) -> None:
    from recosa_learn.content.models import Activity

    for activity in db.session.scalars(sa.select(Activity).where(Activity.path == path)):
        activity.settings = {**activity.settings, **changes}
    db.session.commit()


def _start(client, lh, course: str = "example-course", path: str = "basics/check") -> int:
    lh.post(client, f"/courses/{course}/enrol")
    response = lh.post(client, f"/courses/{course}/{path}/start")
    assert response.status_code == 302, response.get_data(as_text=True)
    return lh.attempt_id(response)


def _answer_all(client, lh, user, attempt: int, responses) -> None:
    """Answer every question of the attempt page by page, as a learner would."""
    ctx = lh.load_ctx(user, attempt)
    for n, key in enumerate(ctx.order, start=1):
        model = ctx.models[key]
        response = responses(model)
        url = f"/attempts/{attempt}/{n}"
        if model.type == "scenario":
            path = []
            for choice in response:
                token = lh.choice_token(ctx, key, path, choice)
                result = lh.post(client, url, {"choice": token}, token_page=url)
                assert result.status_code == 302, result.get_data(as_text=True)
                path.append(choice)
            continue
        data = {"answer": "Comment aller à Bamako ?"} if model.type == "reflection" else lh.form_for(ctx, key, response)
        result = lh.post(client, url, data, token_page=url)
        assert result.status_code == 302, (key, result.get_data(as_text=True)[-2000:])


def test_every_type_answered_right(example, learner, lh, db):
    from recosa_learn.learn.models import QuizAttempt

    client, user = learner("MA", language="en")
    attempt = _start(client, lh)
    _answer_all(client, lh, user, attempt, correct_response)
    ctx = lh.load_ctx(user, attempt)
    assert {m.type for m in ctx.models.values()} >= {
        "single_choice", "multiple_response", "true_false", "short_answer", "numerical", "matching", "ordering",
        "fill_blanks", "scenario", "reflection"}
    for n, key in enumerate(ctx.order, start=1):  # immediate feedback: each page now says how it went
        page = client.get(f"/attempts/{attempt}/{n}").get_data(as_text=True)
        expected = "Answer saved" if ctx.models[key].type == "reflection" else "Right!"
        assert expected in page, (key, page[-1500:])
    assert lh.post(client, f"/attempts/{attempt}/submit").status_code == 302
    row = db.session.get(QuizAttempt, attempt)
    db.session.refresh(row)
    assert row.submitted_at is not None and row.score == 100.0 and row.passed is True
    review = client.get(f"/attempts/{attempt}/review").get_data(as_text=True)
    assert "Score: 100%" in review and "Comment aller à Bamako ?" in review


def test_every_type_answered_wrong(example, learner, lh, db):
    from recosa_learn.learn.models import AttemptAnswer, QuizAttempt

    client, user = learner("MA", language="en")
    attempt = _start(client, lh)
    _answer_all(client, lh, user, attempt, lambda q: WRONG.get(q.key))
    ctx = lh.load_ctx(user, attempt)
    for n, key in enumerate(ctx.order, start=1):
        if ctx.models[key].type != "reflection":
            page = client.get(f"/attempts/{attempt}/{n}").get_data(as_text=True)
            assert "Not quite" in page or "Partly right" in page, key
    answers = {a.question_key: a for a in db.session.scalars(
        sa.select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt))}
    assert answers["q-objectives"].fraction == 0.0 and answers["q-match"].fraction == 0.0
    assert answers["q-reflect"].fraction is None and answers["q-reflect"].response == "Comment aller à Bamako ?"
    assert all(a.is_correct is False for k, a in answers.items() if k != "q-reflect")
    lh.post(client, f"/attempts/{attempt}/submit")
    row = db.session.get(QuizAttempt, attempt)
    db.session.refresh(row)
    assert row.passed is False and row.score == 0.0


def test_bad_input_is_refused_with_a_message(example, learner, lh):
    client, user = learner("MA", language="en")
    attempt = _start(client, lh)
    ctx = lh.load_ctx(user, attempt)
    n = ctx.order.index("q-objectives") + 1
    url = f"/attempts/{attempt}/{n}"
    response = lh.post(client, url, {"answer": "twenty"}, token_page=url)
    assert response.status_code == 400
    assert "Type a number" in response.get_data(as_text=True)
    n = ctx.order.index("q-place") + 1
    response = lh.post(client, f"/attempts/{attempt}/{n}", {"answer": "99"}, token_page=url)
    assert response.status_code == 400
    response = client.post(f"/attempts/{attempt}/{n}", data={"answer": "1"})  # no CSRF token
    assert response.status_code == 400
    assert lh.load_ctx(user, attempt).answers == []


def test_pages_do_not_reveal_answers(example, learner, lh):
    client, user = learner("MA", language="en")
    attempt = _start(client, lh)
    ctx = lh.load_ctx(user, attempt)
    for n, key in enumerate(ctx.order, start=1):
        page = client.get(f"/attempts/{attempt}/{n}").get_data(as_text=True)
        form = page[page.find("<form method=\"post\" action=\"/attempts/"):]
        values = set(re.findall(r'value="([^"]*)"', form)) - {""}
        values = {v for v in values if len(v) < 40}  # the CSRF token aside
        assert values <= {str(i) for i in range(1, 20)} | {"true", "false"}, (key, values)
        assert "Marrakech" not in page or key in ("q-place",)  # the right option's label only as a choice


def test_resume_shows_the_same_order(example, learner, lh, db, app):
    from conftest import login

    _settings(db, "basics/check", shuffle=True, feedback="after_submit")
    client, user = learner("MA", language="en")
    attempt = _start(client, lh)
    ctx = lh.load_ctx(user, attempt)
    texts = [client.get(f"/attempts/{attempt}/{n}").get_data(as_text=True).split('id="q-text"')[-1][:120]
             for n in (1, 2, 3)]
    key = ctx.order[0]
    first = ctx.models[key]
    if first.type not in ("scenario", "reflection"):
        lh.post(client, f"/attempts/{attempt}/1", lh.form_for(ctx, key, correct_response(first)),
                token_page=f"/attempts/{attempt}/1")
    other = login(app.test_client(), user)  # another device, another session
    response = lh.post(other, "/courses/example-course/basics/check/start")
    assert lh.attempt_id(response) == attempt
    again = [other.get(f"/attempts/{attempt}/{n}").get_data(as_text=True).split('id="q-text"')[-1][:120]
             for n in (1, 2, 3)]
    assert again == texts


def test_after_submit_answers_can_change_then_double_submit_counts_once(example, learner, lh, db):
    from recosa_learn.learn.models import LearningEvent, QuizAttempt

    _settings(db, "basics/check", feedback="after_submit")
    client, user = learner("MA", language="en")
    attempt = _start(client, lh)
    ctx = lh.load_ctx(user, attempt)
    n = ctx.order.index("q-place") + 1
    url = f"/attempts/{attempt}/{n}"
    lh.post(client, url, lh.form_for(ctx, "q-place", "dakar"), token_page=url)
    page = client.get(url).get_data(as_text=True)
    assert "Not quite" not in page and "Right!" not in page  # no feedback before submission
    lh.post(client, url, lh.form_for(ctx, "q-place", "marrakech"), token_page=url)
    first = lh.post(client, f"/attempts/{attempt}/submit")
    second = lh.post(client, f"/attempts/{attempt}/submit")
    assert first.status_code == second.status_code == 302
    row = db.session.get(QuizAttempt, attempt)
    db.session.refresh(row)
    stamp = row.submitted_at
    assert stamp is not None and row.score > 0
    events = db.session.scalars(sa.select(LearningEvent.kind).where(
        LearningEvent.kind.in_(["quiz-passed", "quiz-failed"]))).all()
    assert len(events) == 1
    # a replayed answer after submission changes nothing
    late = lh.post(client, url, lh.form_for(ctx, "q-place", "dakar"), token_page="/courses")
    assert late.status_code == 302 and late.headers["Location"].endswith("/review")
    db.session.refresh(row)
    assert row.submitted_at == stamp


def test_attempt_limit(example, learner, lh, db):
    from recosa_learn.learn.models import QuizAttempt

    _settings(db, "basics/check", attempts=1)
    client, _user = learner("MA", language="en")
    attempt = _start(client, lh)
    lh.post(client, f"/attempts/{attempt}/submit")
    response = lh.post(client, "/courses/example-course/basics/check/start")
    assert response.status_code == 302 and "/attempts/" not in response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(QuizAttempt.id))) == 1
    page = client.get("/courses/example-course/basics/check").get_data(as_text=True)
    assert "used all the attempts" in page


def test_review_page_and_past_attempts(example, learner, lh):
    client, _user = learner("MA", language="en")
    attempt = _start(client, lh)
    assert client.get(f"/attempts/{attempt}/review").status_code == 302  # not before submission
    lh.post(client, f"/attempts/{attempt}/submit")
    review = client.get(f"/attempts/{attempt}/review").get_data(as_text=True)
    assert "Results of attempt 1" in review and "no answer" in review
    quiz_page = client.get("/courses/example-course/basics/check").get_data(as_text=True)
    assert f"/attempts/{attempt}/review" in quiz_page and "Try again" in quiz_page


def test_a_learner_cannot_see_another_learners_attempt(example, learner, lh, login_as):
    client, _user = learner("MA", language="en")
    attempt = _start(client, lh)
    intruder, _ = learner("MA")
    for url in (f"/attempts/{attempt}", f"/attempts/{attempt}/1", f"/attempts/{attempt}/summary",
                f"/attempts/{attempt}/review"):
        assert intruder.get(url).status_code == 404
    assert lh.post(intruder, f"/attempts/{attempt}/1", {"answer": "1"}).status_code == 404
    assert lh.post(intruder, f"/attempts/{attempt}/submit").status_code == 404
    admin, _ = login_as("admin", None)
    assert admin.get(f"/attempts/{attempt}/1").status_code == 404
