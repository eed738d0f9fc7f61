"""What a trainee's phone pays per page: bytes on the wire (gzip), SQL statements and server time.

    python -m bench.pages_bench [--requests 50]

Builds a temporary SQLite database with the shipped courses, enrols a trainee in the youth course and measures the
course page, a lesson in Arabic and a quiz question: HTML + CSS + JS gzip-compressed as sent on a first visit
(target: at most 40 KB, images excluded), the number of SQL statements per request (target: at most 4 on lesson and
quiz pages) and the median and 95th-percentile server time over N requests.
"""
from __future__ import annotations

import gzip
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSWORD = "a bench passphrase"


def _app(url: str):
    from config import TestingConfig
    from recosa_learn import create_app

    config = {key: getattr(TestingConfig, key) for key in dir(TestingConfig) if key.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=url, LOGIN_RATE_LIMIT="1000 per minute")
    return create_app(config)


def _token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _assets(client, html: str) -> int:
    total = 0
    for url in re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js)\?v=[^"]+)"', html):
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        total += len(response.get_data())
        response.close()
    return total


@click.command()
@click.option("--requests", "count", default=50, show_default=True, help="requests per page for the timings")
def main(count: int) -> None:
    """Print bytes, SQL statements and server time for the trainee's main pages."""
    import sqlalchemy as sa
    from flask import g
    from flask_migrate import upgrade

    from recosa_learn.accounts.services import create_user
    from recosa_learn.content.importer import import_tree
    from recosa_learn.extensions import db
    from recosa_learn.places.models import Municipality
    from recosa_learn.places.services import load_reference_data

    folder = Path(tempfile.mkdtemp(prefix="recosa-bench-"))
    app = _app(f"sqlite:///{folder / 'pages.sqlite3'}")
    with app.app_context():
        upgrade()
        load_reference_data()
        import_tree(Path(app.config["COURSE_CONTENT_DIR"]))
        oujda = db.session.scalar(sa.select(Municipality).where(Municipality.code == "MA-OUJDA"))
        create_user(email="bench@example.org", name="Bench", password=PASSWORD, language="ar",
                    municipality=oujda, roles=[("trainee", None)])
        db.session.commit()
        engine = db.engine

    client = app.test_client()
    client.post("/login", data={"email": "bench@example.org", "password": PASSWORD,
                                "csrf_token": _token(client.get("/login").get_data(as_text=True))})
    html = client.get("/courses/youth-awareness").get_data(as_text=True)
    client.post("/courses/youth-awareness/enrol", data={"csrf_token": _token(html)})
    lesson_url = "/courses/youth-awareness/words-game/words"
    lesson_html = client.get(lesson_url).get_data(as_text=True)
    start = re.search(r'action="(/courses/youth-awareness/[^"]+/start)"', client.get(
        "/courses/youth-awareness/words-game/game").get_data(as_text=True))
    quiz_url = None
    if start:
        response = client.post(start.group(1), data={"csrf_token": _token(lesson_html)})
        attempt = re.search(r"/attempts/(\d+)", response.headers.get("Location", ""))
        quiz_url = f"/attempts/{attempt.group(1)}/1" if attempt else None

    pages = [("catalog", "/courses"), ("course page", "/courses/youth-awareness"), ("lesson (Arabic)", lesson_url)]
    if quiz_url:
        pages.append(("quiz question", quiz_url))
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    print(f"  {'page':<18} {'HTML gz':>9} {'+CSS+JS gz':>11} {'SQL/req':>8} {'median':>9} {'p95':>9}")
    for label, url in pages:
        times = []
        for _ in range(count):
            with app.app_context():
                g.pop("_login_user", None)
                statements.clear()
                started = time.perf_counter()
                response = client.get(url, headers={"Accept-Encoding": "gzip"})
                times.append((time.perf_counter() - started) * 1000)
                body = response.get_data()
                sql = len(statements)
        gzipped = response.headers.get("Content-Encoding") == "gzip"
        size = len(body) if gzipped else len(gzip.compress(body, 6))
        html = gzip.decompress(body) if gzipped else body
        first_visit = size + _assets(client, html.decode())
        times.sort()
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        print(f"  {label:<18} {size / 1024:8.1f}K {first_visit / 1024:10.1f}K {sql:>8} "
              f"{statistics.median(times):7.1f}ms {p95:7.1f}ms")
    print("  targets: first visit ≤ 40 KB (gzip, images excluded); lesson and quiz pages ≤ 4 SQL statements")


if __name__ == "__main__":
    main()
