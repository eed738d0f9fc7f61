"""Fixtures of the learn tests: the example course and the youth course imported, a learner in Morocco or Senegal."""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import csrf_token, login

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "tests" / "data" / "courses" / "example-course"
YOUTH = ROOT / "course_content" / "youth-awareness"


def _import(db, path):
    from recosa_learn.content.importer import import_tree

    import_tree(path)
    db.session.commit()


@pytest.fixture
def example(app, db, places):
    """tests/data/courses/example-course: every question type, and a variant for Senegal."""
    _import(db, EXAMPLE)
    return "example-course"


@pytest.fixture
def youth(app, db, places):
    """course_content/youth-awareness: the playful course (practice round with a mastery rule)."""
    _import(db, YOUTH)
    return "youth-awareness"


@pytest.fixture
def learner(app, make_user):
    """``learner('MA', language='fr')`` → (client, user): a logged-in trainee of that country."""

    def factory(country: str = "MA", **fields):
        user = make_user("trainee", country, **fields)
        return login(app.test_client(), user), user

    return factory


def post(client, url: str, data: dict | None = None, token_page: str = "/courses", **kwargs):
    """POST ``data`` with a valid CSRF token (``data`` may hold lists for repeated fields)."""
    payload = {"csrf_token": csrf_token(client, token_page)}
    payload.update(data or {})
    return client.post(url, data=payload, **kwargs)


def attempt_id(response) -> int:
    match = re.search(r"/attempts/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


@contextmanager
def fresh_request(db):
    """Forget what the test's session already loaded, so a counted request loads everything itself."""
    from flask import g

    db.session.expunge_all()
    g.pop("_login_user", None)
    yield


@pytest.fixture
def lh():
    """The helpers above, for test modules (``conftest`` names the shared tests/conftest.py when imported)."""
    from types import SimpleNamespace

    return SimpleNamespace(post=post, attempt_id=attempt_id, fresh_request=fresh_request, load_ctx=load_ctx,
                           form_for=form_for, choice_token=choice_token)


def load_ctx(user, attempt_id: int):
    from recosa_learn.extensions import db
    from recosa_learn.learn.quizzes import load_attempt

    db.session.expire_all()
    return load_attempt(user, attempt_id)


def form_for(ctx, key: str, response) -> dict:
    """The form fields a learner fills in to give ``response`` to question ``key`` of the attempt ``ctx``
    (the inverse of ``questions.parse``: tokens are positions in the order the page shows)."""
    from recosa_learn.learn import questions as qs

    q, seed, shuffle = ctx.models[key], ctx.attempt.seed, ctx.rules.shuffle
    if q.type == "single_choice":
        return {"answer": str(qs.option_order(q, seed, shuffle).index(response) + 1)}
    if q.type == "multiple_response":
        order = qs.option_order(q, seed, shuffle)
        return {"answer": [str(order.index(k) + 1) for k in response]}
    if q.type == "true_false":
        return {"answer": "true" if response else "false"}
    if q.type in ("short_answer", "numerical", "reflection"):
        return {"answer": str(response)}
    if q.type == "matching":
        answers = qs._matching_answers(q, seed)
        pairs = {p.key: p for p in q.pairs}
        fields = {}
        for prompt_key, pair_key in response.items():
            token = next(i for i, k in enumerate(answers, 1) if pairs[k].answer == pairs[pair_key].answer)
            fields[f"match-{prompt_key}"] = str(token)
        return fields
    if q.type == "ordering":
        shown = qs.ordering_order(q, seed)
        return {f"rank-{i}": str(response.index(k) + 1) for i, k in enumerate(shown, 1)}
    if q.type == "fill_blanks":
        fields = {}
        for blank in q.blanks:
            value = response[blank.key]
            if blank.options:
                value = str(qs.blank_order(q, blank.key, seed).index(value) + 1)
            fields[f"blank-{blank.key}"] = value
        return fields
    raise AssertionError(f"no single form for {q.type}")


def choice_token(ctx, key: str, path: list, choice: str) -> str:
    """Scenario: the button value of ``choice`` at the node reached by ``path``."""
    q = ctx.models[key]
    nodes = {n.key: n for n in q.nodes}
    node = nodes[q.start]
    for step in path:
        node = nodes[next(c.next for c in node.choices if c.key == step)]
    return str([c.key for c in node.choices].index(choice) + 1)
