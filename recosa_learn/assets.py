"""Static files with content-hashed URLs, long cache lifetimes and gzip; pages gzip-compressed for slow links."""
from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, request, url_for

CACHE_FOREVER = "public, max-age=31536000, immutable"
COMPRESSIBLE = (".css", ".js", ".svg", ".json", ".txt")


@lru_cache(maxsize=256)
def _digest(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def static_url(filename: str) -> str:
    """URL of a static file with its content hash, so browsers may cache it for a year."""
    from flask import current_app

    path = Path(current_app.static_folder or "") / filename
    version = _digest(str(path), path.stat().st_mtime) if path.is_file() else "0"
    return url_for("static", filename=filename, v=version)


@lru_cache(maxsize=256)
def _gzipped(path: str, mtime: float) -> bytes:
    return gzip.compress(Path(path).read_bytes(), compresslevel=9, mtime=0)


def _compress_static(response: Response) -> Response:
    if request.endpoint != "static" or response.status_code != 200:
        return response
    if request.args.get("v"):
        response.headers["Cache-Control"] = CACHE_FOREVER
    filename = request.view_args.get("filename", "") if request.view_args else ""
    if filename.endswith(COMPRESSIBLE) and "gzip" in request.headers.get("Accept-Encoding", ""):
        from flask import current_app

        path = Path(current_app.static_folder or "") / filename
        original = response.response
        if hasattr(original, "close"):
            original.close()  # the file wrapper of the uncompressed file
        response.direct_passthrough = False
        response.set_data(_gzipped(str(path), path.stat().st_mtime))
        response.headers["Content-Encoding"] = "gzip"
        response.headers["Content-Length"] = str(len(response.get_data()))
        response.headers.add("Vary", "Accept-Encoding")
    return response


COMPRESSED_TYPES = ("text/html", "application/json", "image/svg+xml", "text/plain")


def _compress_page(response: Response) -> Response:
    """Gzip pages and JSON answers when the browser accepts it (phones on slow connections gain most)."""
    if (request.endpoint == "static" or response.direct_passthrough or response.is_streamed
            or response.status_code < 200 or response.status_code in (204, 304)
            or "Content-Encoding" in response.headers or response.mimetype not in COMPRESSED_TYPES
            or "gzip" not in request.headers.get("Accept-Encoding", "")):
        return response
    body = response.get_data()
    if len(body) < 512:
        return response
    response.set_data(gzip.compress(body, compresslevel=6))
    response.headers["Content-Encoding"] = "gzip"
    response.headers["Content-Length"] = str(len(response.get_data()))
    response.headers.add("Vary", "Accept-Encoding")
    return response


def init_assets(app: Flask) -> None:
    app.after_request(_compress_static)
    app.after_request(_compress_page)
    app.jinja_env.globals["static_url"] = static_url
