"""What trainers see: editing, translations, adaptations, review and publishing."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("authoring", __name__, url_prefix="/workspace")
