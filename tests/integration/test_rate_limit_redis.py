"""With REDIS_URL, the login limit is shared by every app process (two app instances stand for two processes)."""
import os

import pytest
from conftest import csrf_token

REDIS_URL = os.environ.get("TEST_REDIS_URL", "").strip()


@pytest.mark.skipif(not REDIS_URL, reason="set TEST_REDIS_URL to a Redis server to run the shared rate-limit test")
def test_login_limit_is_shared_between_processes_through_redis(database_url, places):
    import redis
    from conftest import make_app

    server = redis.Redis.from_url(REDIS_URL)  # a database of its own for the tests (e.g. /15): emptied here
    server.flushdb()
    settings = {"REDIS_URL": REDIS_URL, "RATELIMIT_STORAGE_URI": REDIS_URL, "LOGIN_RATE_LIMIT": "6 per minute"}
    first, second = make_app(database_url, **settings), make_app(database_url, **settings)
    codes = []
    for app in (first, second):
        with app.app_context():
            client = app.test_client()
            token = csrf_token(client)
            for _ in range(4):
                codes.append(client.post("/login", data={"email": "x@example.org", "password": "wrong password",
                                                         "csrf_token": token}).status_code)
    assert codes[:6] == [400] * 6
    assert codes[6:] == [429, 429], codes
    assert server.dbsize() > 0, "the limiter stored nothing in Redis"
    server.flushdb()
