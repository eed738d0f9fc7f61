"""Template globals: the permission check, language helpers and the navigation of each role."""
from __future__ import annotations

from flask import Flask, request, url_for
from flask_login import current_user

from ..accounts.forms import ROLE_LABELS
from ..accounts.permissions import can
from ..i18n import LANGUAGE_NAMES, current_language, text_direction


def language_links() -> list[dict[str, str]]:
    """One link per language that keeps the person on the same page."""
    target = request.full_path.rstrip("?") if request.method == "GET" else url_for("core.home")
    return [
        {"code": code, "name": name, "url": url_for("core.set_language", lang=code, next=target)}
        for code, name in LANGUAGE_NAMES.items()
    ]


def register(app: Flask) -> None:
    @app.context_processor
    def inject():
        lang = current_language()
        return {
            "lang": lang,
            "dir": text_direction(lang),
            "can": lambda action, obj=None: can(current_user, action, obj),
            "language_links": language_links,
        }

    @app.template_filter("role_label")
    def role_label(role: str) -> str:
        return str(ROLE_LABELS.get(role, role))
