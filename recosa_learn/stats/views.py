"""What coordinators see: dashboards, charts, exports, xAPI."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("stats", __name__, url_prefix="/stats")
