"""xAPI statements (validated against the xAPI 1.0.3 rules) and the outbox delivery to a real local LRS."""
from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import sqlalchemy as sa

# No xAPI library (tincan) nor jsonschema is installed: these checks follow the xAPI 1.0.3 specification
# (part two, §2.4) for the properties the platform writes.
IRI = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$", re.IGNORECASE)
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
ALLOWED = {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority", "version",
           "attachments"}


def validate_statement(statement: dict) -> None:
    assert set(statement) <= ALLOWED, set(statement) - ALLOWED
    uuid.UUID(statement["id"])
    actor = statement["actor"]
    assert actor.get("objectType", "Agent") == "Agent"
    ifis = [k for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in actor]
    assert ifis == ["account"], "an Agent has exactly one inverse functional identifier"
    assert IRI.match(actor["account"]["homePage"]) and actor["account"]["name"]
    assert IRI.match(statement["verb"]["id"]) and statement["verb"]["display"]
    assert all(re.match(r"^[a-z]{2}(-[A-Z]{2})?$", tag) for tag in statement["verb"]["display"])
    obj = statement["object"]
    assert obj.get("objectType", "Activity") == "Activity" and IRI.match(obj["id"])
    assert IRI.match(obj["definition"]["type"])
    result = statement.get("result", {})
    if "score" in result:
        assert -1 <= result["score"]["scaled"] <= 1
    for key in ("success", "completion"):
        assert isinstance(result.get(key, True), bool)
    context = statement.get("context", {})
    assert all(IRI.match(key) for key in context.get("extensions", {}))
    for parent in context.get("contextActivities", {}).get("parent", []):
        assert IRI.match(parent["id"])
    assert ISO.match(statement["timestamp"])
    assert statement.get("version", "1.0.3").startswith("1.0.")


def _event(db, stats_world, kind, **data):
    from recosa_learn.learn.models import Enrolment, LearningEvent

    enrolment = db.session.scalar(sa.select(Enrolment).order_by(Enrolment.id))
    event = LearningEvent(user_id=enrolment.user_id, course_id=enrolment.course_id, enrolment_id=enrolment.id,
                          kind=kind, activity_path="m1/quiz", data=data)
    db.session.add(event)
    db.session.commit()
    return event


def test_statements_are_valid_xapi(app, db, stats_world):
    from recosa_learn.accounts.services import create_user  # noqa: F401 (models loaded)
    from recosa_learn.stats import xapi
    from recosa_learn.stats.cli import CliActor

    for kind, data in (("quiz-passed", {"score": 85.0}), ("quiz-failed", {"score": 40}),
                       ("question-answered", {"question": "q1", "fraction": 0.5, "correct": False}),
                       ("lesson-completed", {}), ("course-completed", {"score": 78})):
        _event(db, stats_world, kind, **data)
    statements = list(xapi.statements(CliActor(admin=True)))
    assert len(statements) == 11 + 5  # the fixture's 11 launches, then the five above
    for statement in statements:
        validate_statement(statement)
    passed = next(s for s in statements if s["verb"]["id"].endswith("/passed"))
    assert passed["result"] == {"score": {"scaled": 0.85}, "success": True, "completion": True}
    base = app.config["BASE_URL"].rstrip("/")
    assert passed["actor"]["account"]["homePage"] == base
    assert passed["object"]["id"] == f"{base}/xapi/activities/courses/migration-101/m1/quiz"
    assert passed["context"]["extensions"][f"{base}/xapi/extensions/country"] == "MA"
    assert passed["context"]["extensions"][f"{base}/xapi/extensions/municipality"] == "MA-OUJDA"
    assert passed["context"]["extensions"][f"{base}/xapi/extensions/course-variant"] == "base"
    assert len({s["id"] for s in statements}) == len(statements)


def test_xapi_export_route_and_cli(app, db, stats_world, login_as, runner, tmp_path):
    client, _admin = login_as("admin", None)
    body = client.get("/stats/xapi").get_data(as_text=True)
    statements = json.loads(body)
    assert len(statements) == 11 and all(validate_statement(s) is None for s in statements)
    assert "@example.org" not in body  # pseudonymous
    out = tmp_path / "xapi.json"
    result = runner.invoke(args=["stats", "xapi", "--since", "2025-04-01", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(json.loads(out.read_text())) == 5  # Kaolack's launches, 40 days later


class _LRS(BaseHTTPRequestHandler):
    statuses: list[int] = []
    received: list[tuple[object, list]] = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        type(self).received.append((self.headers, json.loads(self.rfile.read(length))))
        status = type(self).statuses.pop(0) if type(self).statuses else 200
        body = b'["ok"]' if status == 200 else b"boom"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def lrs():
    _LRS.statuses, _LRS.received = [500, 200], []
    server = HTTPServer(("127.0.0.1", 0), _LRS)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/xapi", _LRS
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_outbox_retries_with_backoff_against_a_real_server(app, db, stats_world, lrs):
    from recosa_learn.extensions import utcnow
    from recosa_learn.stats import xapi
    from recosa_learn.stats.models import XapiOutbox

    endpoint, handler = lrs
    app.config.update(XAPI_LRS_ENDPOINT=endpoint, XAPI_LRS_USERNAME="lrs-user", XAPI_LRS_PASSWORD="s3cret",
                      XAPI_RETRY_BASE_SECONDS=60)
    event = _event(db, stats_world, "quiz-passed", score=90)
    row = db.session.scalar(sa.select(XapiOutbox))
    assert row is not None and row.event_id == event.id  # queued in the event's own transaction
    now = utcnow()
    assert xapi.deliver(now=now) == (0, 1)  # the LRS answers 500
    db.session.commit()
    row = db.session.scalar(sa.select(XapiOutbox))
    assert row.attempts == 1 and row.sent_at is None and "500" in row.last_error
    assert row.next_attempt_at >= now + timedelta(seconds=59)
    assert xapi.deliver(now=now + timedelta(seconds=10)) == (0, 0)  # not due yet
    assert xapi.deliver(now=now + timedelta(seconds=61)) == (1, 0)
    db.session.commit()
    row = db.session.scalar(sa.select(XapiOutbox))
    assert row.sent_at is not None and row.last_error is None and row.attempts == 2
    assert len(handler.received) == 2
    headers, payload = handler.received[-1]
    assert headers["X-Experience-API-Version"] == "1.0.3"
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"lrs-user:s3cret").decode()
    assert payload[0]["id"] == handler.received[0][1][0]["id"]  # the same statement id on retry
    validate_statement(payload[0])
    assert xapi.backoff(3) == timedelta(seconds=240)


def test_no_outbox_without_an_lrs(app, db, stats_world):
    from recosa_learn.stats.models import XapiOutbox

    app.config["XAPI_LRS_ENDPOINT"] = ""
    _event(db, stats_world, "quiz-failed", score=10)
    assert db.session.scalar(sa.select(sa.func.count(XapiOutbox.id))) == 0
