"""Language choice: ``?lang=xx`` (remembered in the session) → user setting → browser → French."""
from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user


def supported_languages() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def select_locale() -> str:
    """Locale selector for flask-babel (outside requests, e.g. in the CLI: the default language)."""
    languages = supported_languages()
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    if session.get("lang") in languages:
        return session["lang"]
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.language in languages:
        return current_user.language
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    """The language of this request, as a two-letter code."""
    if "lang" not in g:
        g.lang = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]).split("_")[0]
    return g.lang


def text_direction(lang: str | None = None) -> str:
    return "rtl" if (lang or current_language()) in current_app.config["RTL_LANGUAGES"] else "ltr"


#: Each language's name in itself, for the switcher.
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "ar": "العربية"}
