"""What trainees see: catalog, lessons, quizzes, progress, certificates."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("learn", __name__)
