"""Course files: import from the web, media."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("content", __name__, url_prefix="/content")
