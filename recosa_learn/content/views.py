"""Course files: lesson images (media), served by content hash with a long, immutable cache lifetime."""
from __future__ import annotations

import re

from flask import Blueprint, Response, abort, request
from sqlalchemy import select

from ..extensions import db
from .importer import MEDIA_TYPES
from .models import Media

bp = Blueprint("content", __name__, url_prefix="/content")

_DIGEST_RE = re.compile(r"^[0-9a-f]{64}$")
#: an SVG is a document: no script may run in it, even when opened directly
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
ONE_YEAR = 365 * 24 * 3600


@bp.get("/media/<digest>.<ext>")
def media(digest: str, ext: str) -> Response:
    """A lesson image (public: lesson pages use it; the address is its SHA-256, so it never changes)."""
    if not _DIGEST_RE.match(digest) or ext not in MEDIA_TYPES:
        abort(404)
    if request.if_none_match and request.if_none_match.contains(digest):
        return _cached(Response(status=304), digest)
    item = db.session.scalar(select(Media).where(Media.sha256 == digest))
    if item is None or item.content_type != MEDIA_TYPES[ext]:
        abort(404)
    response = Response(item.data, mimetype=item.content_type)
    if ext == "svg":
        response.headers["Content-Security-Policy"] = SVG_POLICY
    response.headers["Content-Disposition"] = "inline"
    return _cached(response, digest)


def _cached(response: Response, digest: str) -> Response:
    response.set_etag(digest)
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response
