"""recosa_learn: a light learning platform for the South-South cooperation on migration."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Mapping, Optional

from flask import Flask

from config import BASE_DIR, DEFAULT_SECRET_KEY, INSTANCE_DIR, Config

from . import assets
from .extensions import babel, csrf, db, limiter, login_manager, mail, migrate

__all__ = ["create_app"]


def create_app(config: Optional[type | Mapping[str, Any]] = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, CLI, error handlers."""
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    configure(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    return app


def configure(app: Flask, config: Optional[type | Mapping[str, Any]]) -> None:
    app.config.from_object(Config)
    if isinstance(config, Mapping):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    if app.config["ENV_NAME"] == "production":
        key = app.config.get("SECRET_KEY")
        if not key or key == DEFAULT_SECRET_KEY or len(key) < 16:
            raise RuntimeError(
                "SECRET_KEY is missing or is the default: set a long random SECRET_KEY to run in production."
            )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.logger.setLevel(logging.INFO)


def import_models() -> None:
    """Make every domain's tables known to the metadata (migrations, create_all)."""
    from .accounts import models as _accounts  # noqa: F401
    from .authoring import models as _authoring  # noqa: F401
    from .content import models as _content  # noqa: F401
    from .learn import models as _learn  # noqa: F401
    from .places import models as _places  # noqa: F401
    from .stats import models as _stats  # noqa: F401


def register_extensions(app: Flask) -> None:
    from .i18n import select_locale
    from .security import init_security

    import_models()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    mail.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
    init_security(app)

    from .accounts.services import load_user

    login_manager.user_loader(load_user)


def register_blueprints(app: Flask) -> None:
    from .accounts.views import bp as accounts_bp
    from .authoring.views import bp as authoring_bp
    from .content.views import bp as content_bp
    from .core.views import bp as core_bp
    from .learn.views import bp as learn_bp
    from .places.views import bp as places_bp
    from .stats.views import bp as stats_bp

    for blueprint in (core_bp, accounts_bp, places_bp, content_bp, learn_bp, authoring_bp, stats_bp):
        app.register_blueprint(blueprint)
    assets.init_assets(app)


def register_cli(app: Flask) -> None:
    from .accounts.cli import users_cli
    from .authoring.cli import authoring_cli
    from .content.cli import content_cli
    from .demo.cli import demo_cli
    from .learn.cli import learn_cli
    from .places.cli import places_cli
    from .stats.cli import stats_cli

    for group in (users_cli, places_cli, content_cli, learn_cli, authoring_cli, stats_cli, demo_cli):
        app.cli.add_command(group)


def register_errorhandlers(app: Flask) -> None:
    from .core.errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from .core.templating import register

    register(app)
