"""Site-wide pages: the home page fit for each role, the language switch and the health check."""
from __future__ import annotations

from flask import (
    Blueprint,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..accounts.permissions import can
from ..extensions import db
from ..i18n import current_language
from ..security import is_safe_url
from .services import home_summary

bp = Blueprint("core", __name__)


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return render_template("core/welcome.html")
    from ..learn.services import dashboard_context

    lang = current_language()
    learning = dashboard_context(current_user, lang) if can(current_user, "learn.take") else None
    return render_template("core/home.html", summary=home_summary(current_user, lang), learning=learning)


@bp.route("/language/<lang>")
def set_language(lang: str):
    """Remember a language for this session and go back where the person was (on this site only)."""
    from flask import current_app

    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    target = request.args.get("next")
    return redirect(target if is_safe_url(target) else url_for("core.home"))


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
