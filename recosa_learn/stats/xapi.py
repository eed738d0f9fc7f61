"""Learning events as xAPI 1.0.3 statements: export as JSON, and forwarding to an external LRS via an outbox.

Each LearningEvent maps to one statement with a stable id (a UUID derived from the event id, so a retried delivery
is recognised by the LRS). The actor is an *account* on BASE_URL named by the learner's pseudonymous id; verbs
are the ADL ones; activity ids and context extensions live under BASE_URL.

Forwarding: when ``XAPI_LRS_ENDPOINT`` is set, a session ``after_flush`` listener queues one ``XapiOutbox`` row per
new LearningEvent in the same transaction, so nothing is missed whichever code path records events.
``deliver()`` (``flask stats xapi-send``) posts due rows and retries failures with exponential backoff.
"""
from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from ..content.models import Course
from ..extensions import db, utcnow
from ..learn.models import Enrolment, LearningEvent
from ..places.models import Municipality, Region
from .models import XapiOutbox
from .services import pseudonym, scope_clause

XAPI_VERSION = "1.0.3"
ADL = "http://adlnet.gov/expapi/verbs/"
#: event kind → (ADL verb, activity type)
VERBS = {
    "course-launched": ("launched", "http://adlnet.gov/expapi/activities/course"),
    "lesson-completed": ("completed", "http://adlnet.gov/expapi/activities/lesson"),
    "question-answered": ("answered", "http://adlnet.gov/expapi/activities/cmi.interaction"),
    "quiz-passed": ("passed", "http://adlnet.gov/expapi/activities/assessment"),
    "quiz-failed": ("failed", "http://adlnet.gov/expapi/activities/assessment"),
    "course-completed": ("completed", "http://adlnet.gov/expapi/activities/course"),
}


def _base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def statement_id(event_id: int, base_url: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base_url}/xapi/events/{event_id}"))


def _timestamp(value: datetime) -> str:
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build_statement(ev: LearningEvent, course_key: str, variant: str | None, country: str | None,
                    municipality: str | None, *, base_url: str, secret: str) -> dict[str, Any]:
    """The xAPI statement of one learning event."""
    verb, activity_type = VERBS.get(ev.kind, ("experienced", "http://adlnet.gov/expapi/activities/course"))
    data = ev.data or {}
    activity = f"{base_url}/xapi/activities/courses/{course_key}"
    if ev.kind in ("lesson-completed", "quiz-passed", "quiz-failed", "question-answered") and ev.activity_path:
        activity += "/" + ev.activity_path
    if ev.kind == "question-answered" and data.get("question"):
        activity += "/" + str(data["question"])
    statement: dict[str, Any] = {
        "id": statement_id(ev.id, base_url),
        "actor": {"objectType": "Agent", "account": {"homePage": base_url, "name": pseudonym(ev.user_id, secret)}},
        "verb": {"id": ADL + verb, "display": {"en-US": verb}},
        "object": {"objectType": "Activity", "id": activity, "definition": {"type": activity_type}},
        "timestamp": _timestamp(ev.created_at),
        "version": XAPI_VERSION,
    }
    result: dict[str, Any] = {}
    score = data.get("score")
    if isinstance(score, (int, float)) and not isinstance(score, bool):
        result["score"] = {"scaled": max(-1.0, min(1.0, round(score / 100.0, 4)))}
    fraction = data.get("fraction")
    if ev.kind == "question-answered" and isinstance(fraction, (int, float)) and not isinstance(fraction, bool):
        result["score"] = {"scaled": max(-1.0, min(1.0, round(float(fraction), 4)))}
    if ev.kind in ("quiz-passed", "quiz-failed"):
        result["success"] = ev.kind == "quiz-passed"
        result["completion"] = True
    if ev.kind in ("lesson-completed", "course-completed"):
        result["completion"] = True
    if ev.kind == "question-answered" and isinstance(data.get("correct"), bool):
        result["success"] = data["correct"]
    if result:
        statement["result"] = result
    extensions = {f"{base_url}/xapi/extensions/{name}": value
                  for name, value in (("country", country), ("municipality", municipality),
                                      ("course-variant", variant or "base")) if value}
    statement["context"] = {
        "platform": "recosa_learn",
        "contextActivities": {"parent": [{"objectType": "Activity",
                                          "id": f"{base_url}/xapi/activities/courses/{course_key}"}]},
        "extensions": extensions,
    }
    if ev.kind in ("course-launched", "course-completed"):
        del statement["context"]["contextActivities"]
    return statement


def _events_statement() -> Any:
    return (
        select(LearningEvent, Course.key, Enrolment.country_code, Region.country_code, Municipality.code)
        .join(Course, Course.id == LearningEvent.course_id)
        .outerjoin(Enrolment, Enrolment.id == LearningEvent.enrolment_id)
        .outerjoin(Municipality, Municipality.id == Enrolment.municipality_id)
        .outerjoin(Region, Region.id == Municipality.region_id)
        .order_by(LearningEvent.id)
    )


def statements(actor: Any, since: datetime | None = None, until: datetime | None = None) -> Iterator[dict]:
    """Statements of the events ``actor`` may see (by the place's country), streamed in batches.

    The query is built now (scope, settings); only its rows are read as the response streams."""
    from sqlalchemy import func

    base_url, secret = _base_url(), current_app.config["SECRET_KEY"]
    query = _events_statement().where(scope_clause(actor, func.coalesce(Region.country_code, Enrolment.country_code)))
    if since:
        query = query.where(LearningEvent.created_at >= since)
    if until:
        query = query.where(LearningEvent.created_at < until)
    return _statements(query.execution_options(stream_results=True, yield_per=1000), base_url, secret)


def _statements(query: Any, base_url: str, secret: str) -> Iterator[dict]:
    for ev, key, variant, country, municipality in db.session.execute(query):
        yield build_statement(ev, key, variant, country or variant, municipality, base_url=base_url, secret=secret)


def json_array(items: Iterable[dict]) -> Iterator[str]:
    """A JSON array written as the items come."""
    yield "["
    first = True
    for item in items:
        yield ("" if first else ",\n") + json.dumps(item, ensure_ascii=False)
        first = False
    yield "]\n"


# --- the outbox ----------------------------------------------------------------------------------

def _queue_statements(session: Session, _flush_context: Any) -> None:
    if not has_app_context() or not current_app.config.get("XAPI_LRS_ENDPOINT"):
        return
    ids = [obj.id for obj in session.new if isinstance(obj, LearningEvent)]
    if ids:
        now = utcnow()
        session.connection().execute(
            insert(XapiOutbox.__table__),
            [{"event_id": i, "created_at": now, "attempts": 0, "next_attempt_at": now} for i in ids],
        )


def install_outbox() -> None:
    """Listen to every session's flushes (idempotent)."""
    if not event.contains(Session, "after_flush", _queue_statements):
        event.listen(Session, "after_flush", _queue_statements)


def backoff(attempts: int) -> timedelta:
    """Delay before the next attempt after ``attempts`` failures: base × 2^(attempts-1), capped."""
    base = float(current_app.config.get("XAPI_RETRY_BASE_SECONDS", 60))
    cap = float(current_app.config.get("XAPI_RETRY_MAX_SECONDS", 24 * 3600))
    return timedelta(seconds=min(cap, base * 2 ** max(attempts - 1, 0)))


def _post(endpoint: str, payload: list[dict], timeout: float) -> None:
    """POST statements to the LRS; raises on any non-2xx answer or network error."""
    body = json.dumps(payload).encode()
    request = urllib.request.Request(endpoint, data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("X-Experience-API-Version", XAPI_VERSION)
    username = current_app.config.get("XAPI_LRS_USERNAME")
    if username:
        token = base64.b64encode(f"{username}:{current_app.config.get('XAPI_LRS_PASSWORD') or ''}".encode())
        request.add_header("Authorization", "Basic " + token.decode())
    with urllib.request.urlopen(request, timeout=timeout) as response:
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(endpoint, response.status, "unexpected status", response.headers, None)


def deliver(now: datetime | None = None, batch_size: int = 50, timeout: float = 10.0) -> tuple[int, int]:
    """Send one batch of due outbox rows; returns (sent, failed). Flushes; the caller commits."""
    endpoint = (current_app.config.get("XAPI_LRS_ENDPOINT") or "").rstrip("/")
    if not endpoint:
        return 0, 0
    if not endpoint.endswith("/statements"):
        endpoint += "/statements"
    now = now or utcnow()
    max_attempts = int(current_app.config.get("XAPI_MAX_ATTEMPTS", 12))
    rows = list(db.session.scalars(
        select(XapiOutbox).where(XapiOutbox.sent_at.is_(None), XapiOutbox.next_attempt_at <= now,
                                 XapiOutbox.attempts < max_attempts)
        .order_by(XapiOutbox.id).limit(batch_size)
    ))
    if not rows:
        return 0, 0
    base_url, secret = _base_url(), current_app.config["SECRET_KEY"]
    by_event = {}
    for ev, key, variant, country, municipality in db.session.execute(
        _events_statement().where(LearningEvent.id.in_([r.event_id for r in rows]))
    ):
        by_event[ev.id] = build_statement(ev, key, variant, country or variant, municipality, base_url=base_url,
                                          secret=secret)
    payload = [by_event[r.event_id] for r in rows if r.event_id in by_event]
    try:
        _post(endpoint, payload, timeout)
    except (urllib.error.URLError, OSError, ValueError) as error:
        for row in rows:
            row.attempts += 1
            row.next_attempt_at = now + backoff(row.attempts)
            row.last_error = str(error)[:500]
        db.session.flush()
        return 0, len(rows)
    for row in rows:
        row.attempts += 1
        row.sent_at = now
        row.last_error = None
        row.statement = by_event.get(row.event_id)
    db.session.flush()
    return len(rows), 0
