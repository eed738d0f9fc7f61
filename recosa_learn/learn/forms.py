"""Learner forms. Question pages are built per question type (``questions.py``); their CSRF check is ActionForm's."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..core.forms import options

KIND_LABELS = {"training-model": _l("Training model"), "youth-awareness": _l("Youth awareness"),
               "sport-integration": _l("Integration through sport")}
CONTENT_LANGUAGES = [("fr", "Français"), ("en", "English"), ("ar", "العربية")]


class ActionForm(FlaskForm):
    """A button that changes something (enrol, start, mark as done, submit, save an answer): CSRF only."""


class CatalogFilterForm(FlaskForm):
    """The catalog's filters, sent with GET (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Kind of course"), validators=[Optional()],
                       choices=options([("", _l("All kinds"))] + list(KIND_LABELS.items())))
    language = SelectField(_l("Language"), validators=[Optional()],
                           choices=options([("", _l("All languages"))] + CONTENT_LANGUAGES))


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason for revoking"), validators=[DataRequired(), Length(max=500)])
