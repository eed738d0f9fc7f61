"""Shared fixtures: the app on each database backend, clients, users of every role, query counting.

Database-touching tests run on SQLite and, when ``TEST_DATABASE_URL`` is set, on PostgreSQL too. The schema is
built once per backend by running the Alembic migrations; every test then starts from empty tables.
Under ``CI=true`` a skipped test is a failure (browser and PostgreSQL tests must really run there).
"""
from __future__ import annotations

import os
import re
from contextlib import contextmanager
from typing import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from config import TestingConfig

CI = os.environ.get("CI") == "true"
PG_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
PASSWORD = "correct horse battery"


def pytest_sessionstart(session: pytest.Session) -> None:
    if CI and not PG_URL:
        raise pytest.UsageError("CI=true needs TEST_DATABASE_URL: the PostgreSQL tests must run in CI.")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which must run every test: {report.longrepr}"


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
        # a throw-away test database: commits need not wait for the disk
        connection.execute(sa.text(f'ALTER DATABASE "{engine.url.database}" SET synchronous_commit TO off'))
    engine.dispose()


class EnglishClient(FlaskClient):
    """A test client whose browser asks for English, so assertions read the English msgids.

    Tests of language choice pass their own Accept-Language header or ``?lang=``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def make_app(url: str, **overrides) -> Flask:
    from recosa_learn import create_app

    config = {key: getattr(TestingConfig, key) for key in dir(TestingConfig) if key.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=url, **overrides)
    if url.startswith("postgresql"):
        # Tests build many short-lived apps: close PostgreSQL connections as soon as they are returned,
        # instead of leaving them in pools that are garbage-collected later.
        from sqlalchemy.pool import NullPool

        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"poolclass": NullPool}
    app = create_app(config)
    app.test_client_class = EnglishClient

    @app.before_request
    def _fresh_request_globals() -> None:
        # Tests keep one app context open around many requests, so ``g`` would leak between them
        # (in production every request has its own app context).
        from flask import g

        for name in ("_login_user", "lang", "csrf_token", "_flask_babel"):
            g.pop(name, None)

    return app


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated to head, once per backend for the whole session."""
    from flask_migrate import upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    else:
        url = PG_URL
        _reset_postgres(url)
    app = make_app(url)
    with app.app_context():
        upgrade()
        from recosa_learn.extensions import db

        db.engine.dispose()
    return url


def _empty_tables() -> None:
    from recosa_learn.extensions import db

    db.session.remove()
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        # DELETE, not TRUNCATE: the tables are small and TRUNCATE rewrites files (slow on PostgreSQL).
        for table in tables:
            connection.execute(table.delete())


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = make_app(database_url)
    with app.app_context():
        _empty_tables()
        yield app
        from recosa_learn.extensions import db

        db.session.remove()
        _empty_tables()
        db.engine.dispose()


@pytest.fixture
def db(app: Flask):
    from recosa_learn.extensions import db

    return db


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def outbox(app: Flask) -> list:
    """Messages "sent" during the test (the locmem mail backend)."""
    state = app.extensions["mailman"]
    state.outbox = []
    return state.outbox


@pytest.fixture
def places(app: Flask):
    """The shipped countries, regions and starter municipalities."""
    from recosa_learn.extensions import db
    from recosa_learn.places.services import load_reference_data

    load_reference_data()
    db.session.commit()


def municipality(code: str):
    from recosa_learn.extensions import db
    from recosa_learn.places.models import Municipality

    return db.session.scalar(sa.select(Municipality).where(Municipality.code == code))


@pytest.fixture
def make_user(app: Flask, places):
    """Factory: ``make_user('trainer', 'MA')`` → a committed user with that role."""
    from recosa_learn.accounts.services import create_user
    from recosa_learn.extensions import db

    counter = {"n": 0}
    towns = {"MA": "MA-OUJDA", "CI": "CI-BOUAKE", "ML": "ML-BAMAKO", "SN": "SN-KAOLACK"}

    def factory(role: str | None = "trainee", country: str | None = "MA", *, email: str | None = None,
                name: str | None = None, language: str = "fr", **fields):
        counter["n"] += 1
        town = municipality(towns[country]) if role in ("trainee", None) and country else None
        roles = [] if role is None else [(role, None if role in ("trainee", "admin") else country)]
        user = create_user(email=email or f"{role or 'user'}{counter['n']}.{(country or 'all').lower()}@example.org",
                           name=name or f"{(role or 'user').title()} {counter['n']}", password=PASSWORD,
                           language=language, municipality=town, roles=roles, **fields)
        db.session.commit()
        return user

    return factory


def login(client: FlaskClient, user) -> FlaskClient:
    """Log ``user`` in through the real login form."""
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """A valid CSRF token for ``client``'s session, read from a page's form."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def login_as(app: Flask, make_user):
    """``login_as('coordinator', 'SN')`` → (client, user) logged in with a fresh user of that role."""

    def factory(role: str = "trainee", country: str | None = "MA", **fields):
        user = make_user(role, country, **fields)
        return login(app.test_client(), user), user

    return factory


@contextmanager
def count_queries(app: Flask) -> Iterator[list[str]]:
    """Collect the SQL statements run inside the block."""
    from recosa_learn.extensions import db

    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)


@pytest.fixture
def queries(app: Flask):
    return lambda: count_queries(app)
