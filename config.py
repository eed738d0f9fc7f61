"""Settings of recosa_learn, read from environment variables (12-factor) with defaults fit for the embedded demo."""
from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
DEFAULT_SECRET_KEY = "dev-only-change-me"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'recosa_learn.sqlite3'}"
    # Accept the usual postgres:// spellings and use the psycopg 3 driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    """Base settings; every value can be overridden from the environment."""

    ENV_NAME = os.environ.get("RECOSA_ENV", "development")  #: development | production | testing
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL", "").strip() or None

    # Languages
    LANGUAGES = ("fr", "en", "ar")
    RTL_LANGUAGES = ("ar",)
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    # Accounts
    SELF_REGISTRATION = _bool("SELF_REGISTRATION", True)
    INVITATION_MAX_AGE = int(os.environ.get("INVITATION_MAX_AGE", 14 * 24 * 3600))
    PASSWORD_RESET_MAX_AGE = int(os.environ.get("PASSWORD_RESET_MAX_AGE", 2 * 3600))
    PASSWORD_MIN_LENGTH = 10
    ARGON2_PARAMS: dict = {}  #: argon2-cffi PasswordHasher arguments; empty = library defaults (RFC 9106 low-memory)
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    USERS_PER_PAGE = 25

    # Cookies: HttpOnly + SameSite always, Secure when served over HTTPS.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Mail: SMTP when MAIL_SERVER is set, otherwise messages are written to the log.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 587))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "recosa_learn <no-reply@localhost>")
    MAIL_BACKEND = "smtp" if MAIL_SERVER else "console"  # console: written to the log

    # Uploads (CSV imports, images)
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 8 * 1024 * 1024))

    # Content
    COURSE_CONTENT_DIR = os.environ.get("COURSE_CONTENT_DIR", str(BASE_DIR / "course_content"))
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    # Statistics: counts below this are shown as "<k" to anyone without learner-level rights; scheduled reports are
    # written to this folder when no SMTP server is configured (default: instance/reports)
    STATS_MIN_CELL = int(os.environ.get("STATS_MIN_CELL", 5))
    STATS_REPORT_DIR = os.environ.get("STATS_REPORT_DIR") or None
    # Views without a period are read from the snapshot `flask stats refresh` computes (run it from cron every few
    # minutes on a large platform) while it is younger than this many seconds; 0 computes every view live
    STATS_SNAPSHOT_MAX_AGE = int(os.environ.get("STATS_SNAPSHOT_MAX_AGE", 900))
    # xAPI forwarding to an external LRS (off without an endpoint); retries back off up to the maximum
    XAPI_LRS_ENDPOINT = os.environ.get("XAPI_LRS_ENDPOINT", "").strip() or None
    XAPI_LRS_USERNAME = os.environ.get("XAPI_LRS_USERNAME") or None
    XAPI_LRS_PASSWORD = os.environ.get("XAPI_LRS_PASSWORD") or None
    XAPI_MAX_ATTEMPTS = int(os.environ.get("XAPI_MAX_ATTEMPTS", 12))
    XAPI_RETRY_BASE_SECONDS = int(os.environ.get("XAPI_RETRY_BASE_SECONDS", 60))
    XAPI_RETRY_MAX_SECONDS = int(os.environ.get("XAPI_RETRY_MAX_SECONDS", 24 * 3600))
    # certificates: a folder holding DejaVuSans.ttf and DejaVuSans-Bold.ttf (default: Debian's fonts-dejavu-core)
    CERTIFICATE_FONT_DIR = os.environ.get("CERTIFICATE_FONT_DIR") or None

    @property
    def is_production(self) -> bool:
        return self.ENV_NAME == "production"


class TestingConfig(Config):
    """Settings for the test suite: CSRF stays on (tests send the token); cheaper password hashing."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_ENABLED = True
    SERVER_NAME = None
    MAIL_BACKEND = "locmem"
    #: cheaper Argon2 parameters so the suite stays fast (production keeps the library defaults)
    ARGON2_PARAMS = {"time_cost": 1, "memory_cost": 8192, "parallelism": 1}
