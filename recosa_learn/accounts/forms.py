"""Account forms (Flask-WTF: every form carries a CSRF token)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from ..core.forms import options

ROLE_LABELS = {"trainee": _l("Trainee"), "trainer": _l("Trainer"), "coordinator": _l("Coordinator"),
               "admin": _l("Administrator")}
LANGUAGE_CHOICES = [("fr", "Français"), ("en", "English"), ("ar", "العربية")]
SEX_CHOICES = [("", _l("Not answered")), ("female", _l("Female")), ("male", _l("Male")),
               ("other", _l("Other")), ("undisclosed", _l("Prefer not to say"))]
AGE_CHOICES = [("", _l("Not answered")), ("under-18", _l("Under 18")), ("18-24", "18–24"), ("25-34", "25–34"),
               ("35-44", "35–44"), ("45-54", "45–54"), ("55-plus", _l("55 or more")),
               ("undisclosed", _l("Prefer not to say"))]
PROFILE_CHOICES = [("", _l("Not answered")), ("municipal-staff", _l("Municipal staff")),
                   ("civil-society", _l("Civil society")), ("youth", _l("Youth")), ("migrant", _l("Migrant")),
                   ("returnee", _l("Returnee")), ("other", _l("Other")), ("undisclosed", _l("Prefer not to say"))]


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me logged in on this device"))
    submit = SubmitField(_l("Log in"))


class PasswordMixin:
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
                            render_kw={"autocomplete": "new-password"})


class MonitoringMixin:
    sex = SelectField(_l("Sex"), choices=options(SEX_CHOICES), validators=[Optional()])
    age_band = SelectField(_l("Age"), choices=options(AGE_CHOICES), validators=[Optional()])
    profile = SelectField(_l("Profile"), choices=options(PROFILE_CHOICES), validators=[Optional()])


class RegisterForm(PasswordMixin, MonitoringMixin, FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)],
                       render_kw={"autocomplete": "name"})
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    language = SelectField(_l("Language"), choices=options(LANGUAGE_CHOICES))
    country = SelectField(_l("Country"), choices=[], validate_choice=False)
    region = SelectField(_l("Region"), choices=[], validate_choice=False)
    municipality = SelectField(_l("Municipality"), choices=[], validate_choice=False)
    refine = SubmitField(_l("Update the lists"))
    submit = SubmitField(_l("Create my account"))


class SetPasswordForm(PasswordMixin, FlaskForm):
    submit = SubmitField(_l("Save the password"))


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    submit = SubmitField(_l("Send me a link"))


class ProfileForm(MonitoringMixin, FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)],
                       render_kw={"autocomplete": "name"})
    language = SelectField(_l("Language"), choices=options(LANGUAGE_CHOICES))
    submit = SubmitField(_l("Save"))


class ChangePasswordForm(PasswordMixin, FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=256)],
                            render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Change the password"))


class InviteForm(FlaskForm):
    people = TextAreaField(_l("People to invite (one per line: name, email, municipality)"),
                           validators=[Optional(), Length(max=200_000)])
    file = FileField(_l("…or a CSV file"))
    submit = SubmitField(_l("Check and invite"))


class GrantForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[])
    country = SelectField(_l("Country"), choices=[])
    submit = SubmitField(_l("Grant"))


class ConfirmForm(FlaskForm):
    """An empty form: a button that carries the CSRF token."""

    submit = SubmitField(_l("Confirm"))
