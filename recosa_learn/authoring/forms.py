"""Authoring forms (Flask-WTF: every form carries a CSRF token)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from ..core.forms import options

LANGUAGE_LABELS = {"fr": "Français", "en": "English", "ar": "العربية"}
FIELD_LABELS = {"title": _l("Title"), "summary": _l("Summary"), "audience": _l("Audience"), "body": _l("Text"),
                "text": _l("Text"), "general_feedback": _l("General feedback"),
                "feedback_true": _l("Feedback when answering true"),
                "feedback_false": _l("Feedback when answering false"), "feedback": _l("Feedback"),
                "prompt": _l("Prompt"), "answer": _l("Answer"), "debrief": _l("Debriefing")}
LONG_FIELDS = ("body", "summary", "text", "general_feedback", "feedback", "debrief", "feedback_true",
               "feedback_false")
MAX_TEXT = 100_000


def texts_form(fields: list[tuple[str, str]], data: dict[str, str], points: float | None = None,
               labels: dict[str, str] | None = None, extra: dict | None = None) -> FlaskForm:
    """A form with one text box per (field, language), named ``<field>__<lang>`` and filled from ``data``
    (and, for a question, its ``points``). A field may be named ``<prefix>-<field>`` (texts of the parts of an
    item), labelled by ``labels[name]``; ``extra`` adds further unbound fields by name."""

    class TextsForm(FlaskForm):
        pass

    if points is not None:
        TextsForm.points = FloatField(_l("Points"), validators=[InputRequired(), NumberRange(0, 100)],
                                      default=points)
    for field_name, unbound in (extra or {}).items():
        setattr(TextsForm, field_name, unbound)

    for name, lang in fields:
        base = name.rpartition("-")[2]
        label = f"{(labels or {}).get(name) or FIELD_LABELS.get(base, base)} ({LANGUAGE_LABELS.get(lang, lang)})"
        kind = TextAreaField if base in LONG_FIELDS else StringField
        render = {"lang": lang, "dir": "rtl" if lang == "ar" else "ltr"}
        if kind is TextAreaField:
            render["rows"] = 12 if base == "body" else 4
        setattr(TextsForm, f"{name}__{lang}", kind(label, validators=[Length(max=MAX_TEXT)], render_kw=render,
                                                   default=data.get(f"{name}__{lang}", "")))
    return TextsForm()


def per_language(form_class, texts: dict[str, tuple], languages: list[str], required) -> FlaskForm:
    """``form_class`` with, for each ``name: (label, long, needed)`` of ``texts``, one box per language named
    ``<name>__<lang>``; a ``needed`` text must be given in the ``required`` languages."""

    class Form(form_class):
        pass

    for name, (label, long, needed) in texts.items():
        for lang in languages:
            check = DataRequired() if needed and lang in required else Optional()
            render = {"lang": lang, "dir": "rtl" if lang == "ar" else "ltr"}
            if long:
                render["rows"] = 8 if name.endswith("body") else 3
            kind = TextAreaField if long else StringField
            setattr(Form, f"{name}__{lang}", kind(f"{label} ({LANGUAGE_LABELS.get(lang, lang)})",
                                                  validators=[check, Length(max=MAX_TEXT)], render_kw=render))
    return Form()


def language_texts(form, name: str, languages: list[str]) -> dict[str, str]:
    """What was typed in the ``<name>__<lang>`` boxes of ``per_language``, by language."""
    return {lang: form[f"{name}__{lang}"].data or "" for lang in languages}


class CreateAdaptationForm(FlaskForm):
    start_from = SelectField(_l("Start from"), validate_choice=True)

    def set_sources(self, countries: list[tuple[str, str]]) -> None:
        self.start_from.choices = options([("", str(_l("The base course")))] + countries)


class SettingsForm(FlaskForm):
    pass_mark = IntegerField(_l("Pass mark (percent)"), validators=[Optional(), NumberRange(0, 100)])
    attempts = IntegerField(_l("Attempts allowed"), validators=[Optional(), NumberRange(1, 100)])
    unlimited = BooleanField(_l("Unlimited attempts"))


class ResolveForm(FlaskForm):
    action = RadioField(_l("Resolution"), validators=[DataRequired()])
    merged = TextAreaField(_l("Merged text"), validators=[Length(max=MAX_TEXT)], render_kw={"rows": 10})

    def set_actions(self, can_merge: bool) -> None:
        choices = [("keep", str(_l("Keep the country's text"))), ("base", str(_l("Take the new base text")))]
        if can_merge:
            choices.append(("merge", str(_l("Save the merged text below"))))
        self.action.choices = options(choices)


class CommentForm(FlaskForm):
    path = HiddenField()
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=5000)], render_kw={"rows": 3})


class PublishForm(FlaskForm):
    note = StringField(_l("Note for the history (optional)"), validators=[Length(max=500)])


class LocalLessonForm(FlaskForm):
    """A lesson of the country after an activity; its ``title`` and ``body`` per language (``per_language``)."""

    after = SelectField(_l("Insert after"), validate_choice=True)
    key = StringField(_l("Key (never changes: lower-case letters, digits and hyphens)"),
                      validators=[DataRequired(), Regexp(r"^[a-z0-9][a-z0-9-]{0,63}$",
                                                         message=_l("Use lower-case letters, digits and hyphens."))])
    sources = TextAreaField(_l("Sources, one per line"), validators=[DataRequired(), Length(max=3000)],
                            render_kw={"rows": 2})

    TEXTS = {"title": (_l("Title"), False, True), "body": (_l("Text (Markdown)"), True, True)}


class ImageForm(FlaskForm):
    image = FileField(_l("Image (PNG, JPEG or WebP, at most 5 MB)"), validators=[FileRequired()])
    alt = StringField(_l("Description of the image (alternative text)"), validators=[DataRequired(), Length(max=200)])
    lang = SelectField(_l("Language of the text"), validate_choice=True)


class _QuestionFields(FlaskForm):
    """What every new question has, whatever its texts' languages."""

    key = StringField(_l("Key (never changes: lower-case letters, digits and hyphens)"),
                      validators=[DataRequired(), Length(max=64)])
    type = SelectField(_l("Type"), validate_choice=True)
    answer = SelectField(_l("Correct answer (true or false questions)"), validate_choice=True)
    points = FloatField(_l("Points (blank: 1; a reflection is not scored)"),
                        validators=[Optional(), NumberRange(0, 100)])

    def set_choices(self) -> None:
        self.type.choices = options([("single_choice", str(_l("Single choice"))),
                                     ("multiple_response", str(_l("Multiple response"))),
                                     ("true_false", str(_l("True or false"))),
                                     ("reflection", str(_l("Reflection (not graded)")))])
        self.answer.choices = options([("true", str(_l("True"))), ("false", str(_l("False")))])


class QuestionForm(_QuestionFields):
    """A new question of a base draft, in the course's main language."""

    text = TextAreaField(_l("Question (Markdown)"), validators=[DataRequired(), Length(max=MAX_TEXT)],
                         render_kw={"rows": 3})
    options = TextAreaField(_l("Options, one per line; start the correct ones with *"),
                            validators=[Length(max=MAX_TEXT)], render_kw={"rows": 4})
    feedback = TextAreaField(_l("General feedback, shown with the correction (optional)"),
                             validators=[Length(max=MAX_TEXT)], render_kw={"rows": 2})


class LocalQuestionForm(_QuestionFields):
    """A question of the country added to a quiz of the base course; its texts per language (``per_language``)."""

    after = SelectField(_l("Place in the quiz"), validate_choice=True)

    TEXTS = {"text": (_l("Question (Markdown)"), True, True),
             "options": (_l("Options, one per line; start the correct ones with *"), True, False),
             "feedback": (_l("General feedback, shown with the correction (optional)"), True, False)}


class LocalModuleForm(FlaskForm):
    """A module of the country, with its first lesson, added after a module of the course; its texts per language
    (``per_language``)."""

    after = SelectField(_l("Insert after"), validate_choice=True)
    key = StringField(_l("Key of the module (never changes: lower-case letters, digits and hyphens)"),
                      validators=[DataRequired(), Length(max=64)])
    lesson_key = StringField(_l("Key of its lesson"), validators=[DataRequired(), Length(max=64)])
    sources = TextAreaField(_l("Sources of the lesson, one per line"), validators=[DataRequired(), Length(max=3000)],
                            render_kw={"rows": 2})

    TEXTS = {"title": (_l("Title of the module"), False, True),
             "lesson_title": (_l("Title of the lesson"), False, True),
             "body": (_l("Text of the lesson (Markdown)"), True, True)}


class ModuleForm(FlaskForm):
    """A new module of a base draft."""

    key = StringField(_l("Key (never changes: lower-case letters, digits and hyphens)"),
                      validators=[DataRequired(), Length(max=64)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    after = SelectField(_l("Place"), validate_choice=True)


class ActivityForm(FlaskForm):
    """A new lesson or quiz in a module of a base draft."""

    key = StringField(_l("Key (never changes: lower-case letters, digits and hyphens)"),
                      validators=[DataRequired(), Length(max=64)])
    type = SelectField(_l("Type"), validate_choice=True)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    after = SelectField(_l("Place"), validate_choice=True)
    body = TextAreaField(_l("Text of a lesson (Markdown)"), validators=[Length(max=MAX_TEXT)], render_kw={"rows": 8})
    sources = TextAreaField(_l("Sources of a lesson, one per line"), validators=[Length(max=3000)],
                            render_kw={"rows": 2})

    def set_choices(self) -> None:
        self.type.choices = options([("lesson", str(_l("Lesson"))), ("quiz", str(_l("Quiz")))])


def place_choices(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The choices of a place select: at the start, then after each of ``items`` (key, title)."""
    return [("", str(_l("At the start")))] + [(key, str(_l("After: %(title)s", title=title))) for key, title in items]


class OptionForm(FlaskForm):
    key = StringField(_l("Key (never changes)"), validators=[DataRequired(), Length(max=64)])
    text = StringField(_l("Option"), validators=[DataRequired(), Length(max=2000)])
    correct = BooleanField(_l("Correct"))


class QuizSettingsForm(FlaskForm):
    pass_mark = IntegerField(_l("Pass mark (percent; blank: the course's)"), validators=[Optional(), NumberRange(0, 100)])
    attempts = IntegerField(_l("Attempts allowed (blank: unlimited)"), validators=[Optional(), NumberRange(1, 100)])
    shuffle = BooleanField(_l("Shuffle the questions"))
    feedback = SelectField(_l("Feedback"), validate_choice=True)

    def set_choices(self) -> None:
        self.feedback.choices = options([("after_submit", str(_l("After the quiz is submitted"))),
                                         ("immediate", str(_l("Right after each answer")))])


class GiftImportForm(FlaskForm):
    """A Moodle GIFT question bank added to a quiz of the draft."""

    file = FileField(_l("GIFT file (exported from Moodle, UTF-8)"), validators=[FileRequired()])
    language = SelectField(_l("Language of the questions"), validate_choice=True)

    def set_choices(self, languages) -> None:
        names = {"fr": "Français", "en": "English", "ar": "العربية"}
        self.language.choices = options([(lang, names.get(lang, lang)) for lang in languages])
