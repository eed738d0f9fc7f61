"""Forms of the statistics pages: the dashboard filters (GET), cohorts, invitations, report subscriptions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional


class FilterForm(FlaskForm):
    """The dashboard filters: a GET form (bookmarkable URLs), so without a CSRF token."""

    class Meta:
        csrf = False

    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])
    country = SelectField(_l("Country"), choices=[], validate_choice=False)
    region = SelectField(_l("Region"), choices=[], validate_choice=False)
    municipality = SelectField(_l("Municipality"), choices=[], validate_choice=False)
    course = SelectField(_l("Course"), choices=[], validate_choice=False)
    cohort = SelectField(_l("Cohort"), choices=[], validate_choice=False)
    raw = BooleanField(_l("Show small counts (learner-level permission)"))
    submit = SubmitField(_l("Show"))


class CohortForm(FlaskForm):
    name = StringField(_l("Name of the workshop"), validators=[DataRequired(), Length(max=120)])
    municipality = SelectField(_l("Municipality"), choices=[])
    course = SelectField(_l("Course (optional)"), choices=[], validators=[Optional()])
    starts_on = DateField(_l("First day"), validators=[Optional()])
    ends_on = DateField(_l("Last day"), validators=[Optional()])
    submit = SubmitField(_l("Create the cohort"))


class CohortInviteForm(FlaskForm):
    people = TextAreaField(_l("People to invite (one per line: name, email, municipality)"),
                           validators=[Optional(), Length(max=200_000)])
    file = FileField(_l("…or a CSV file"))
    submit = SubmitField(_l("Check and invite"))


class SubscriptionForm(FlaskForm):
    country = SelectField(_l("Country"), choices=[])
    municipality = SelectField(_l("Municipality (optional: the whole country otherwise)"), choices=[],
                               validators=[Optional()])
    submit = SubmitField(_l("Subscribe"))


class UnsubscribeForm(FlaskForm):
    subscription = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Unsubscribe"))
