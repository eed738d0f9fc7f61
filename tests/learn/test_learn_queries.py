"""Lesson and quiz pages run at most 4 SQL statements, whatever the size of the course.

Each counted request starts like a production request: nothing loaded yet, not even the logged-in user (whose
loading — the user with their municipality, then their role grants — is part of the 4).
"""
from __future__ import annotations

MAX_QUERIES = 4


def _count(client, db, lh, queries, url):
    with lh.fresh_request(db), queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[-500:]
    return statements


def test_lesson_page_queries(example, youth, learner, lh, db, queries):
    client, _user = learner("SN")
    lh.post(client, "/courses/example-course/enrol")
    client.get("/courses/example-course/basics/words")
    first_view = _count(client, db, lh, queries, "/courses/example-course/basics/sn-baos")
    again = _count(client, db, lh, queries, "/courses/example-course/basics/words")
    assert len(first_view) <= MAX_QUERIES, first_view
    assert len(again) <= MAX_QUERIES, again
    # a bigger course (the youth course has five modules): the same count
    lh.post(client, "/courses/youth-awareness/enrol")
    client.get("/courses/youth-awareness/myth-or-fact/intro")
    bigger = _count(client, db, lh, queries, "/courses/youth-awareness/the-journey/intro")
    assert len(bigger) <= MAX_QUERIES + 3, bigger  # on_view: the lesson completes (event, badges check)
    seen = _count(client, db, lh, queries, "/courses/youth-awareness/myth-or-fact/intro")
    assert len(seen) <= MAX_QUERIES, seen


def test_quiz_pages_queries(example, learner, lh, db, queries):
    client, user = learner("MA")
    lh.post(client, "/courses/example-course/enrol")
    attempt = lh.attempt_id(lh.post(client, "/courses/example-course/basics/check/start"))
    ctx = lh.load_ctx(user, attempt)
    lh.post(client, f"/attempts/{attempt}/1", lh.form_for(ctx, ctx.order[0], "marrakech"),
            token_page=f"/attempts/{attempt}/1")
    intro = _count(client, db, lh, queries, "/courses/example-course/basics/check")
    assert len(intro) <= MAX_QUERIES, intro
    for n in (1, 2, 8):
        statements = _count(client, db, lh, queries, f"/attempts/{attempt}/{n}")
        assert len(statements) <= MAX_QUERIES, statements
