"""Error pages in the user's language and the site layout (JSON for JSON clients)."""
from __future__ import annotations

from flask import Flask, jsonify, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..accounts.permissions import wants_json
from ..extensions import db

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. If you were sending a form, go back, "
                                "reload the page and try again.")),
    401: (_l("Please log in"), _l("You need to log in to see this page.")),
    403: (_l("Not allowed"), _l("Your account is not allowed to see or do this.")),
    404: (_l("Page not found"), _l("This page does not exist, or is not available to you.")),
    405: (_l("Not allowed"), _l("This address does not accept this kind of request.")),
    413: (_l("File too large"), _l("The file you sent is too large.")),
    429: (_l("Too many attempts"), _l("Too many attempts in a short time. Wait a minute and try again.")),
    500: (_l("Something went wrong"), _l("An unexpected error happened on our side. Nothing you saved before "
                                         "is lost. Please try again in a moment.")),
}


def _render(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    if wants_json():
        return jsonify(error=str(title), message=str(detail or message)), code
    return render_template("errors/error.html", code=code, title=title, message=detail or message), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _render(400, str(_l("The form expired or was sent from another page. Reload the page and "
                                    "try again.")))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _render(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error")
        return _render(500)


