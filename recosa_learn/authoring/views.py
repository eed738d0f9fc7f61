"""What trainers see: editing, translations, adaptations, review and publishing."""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from wtforms import BooleanField, SelectField

from ..accounts.models import User
from ..accounts.permissions import ALL, can, login_required, require, scope
from ..content import overlay
from ..content.documents import COUNTRIES
from ..content.hashing import item_hashes
from ..content.markdown import render_markdown
from ..content.models import Course
from ..content.paths import locate, walk
from ..content.writer import dump_yaml
from ..core.forms import options
from ..extensions import db
from ..i18n import current_language
from . import adapt, drafts
from .forms import (
    FIELD_LABELS,
    LANGUAGE_LABELS,
    ActivityForm,
    CommentForm,
    CreateAdaptationForm,
    GiftImportForm,
    ImageForm,
    LocalLessonForm,
    LocalModuleForm,
    LocalQuestionForm,
    ModuleForm,
    OptionForm,
    PublishForm,
    QuestionForm,
    QuizSettingsForm,
    ResolveForm,
    SettingsForm,
    language_texts,
    per_language,
    place_choices,
    texts_form,
)
from .models import Adaptation, Override, ReviewComment
from .services import (
    AuthoringError,
    adaptation_file_data,
    add_comment,
    add_local_lesson,
    add_local_module,
    add_local_question,
    added_item,
    create_adaptation,
    current_base,
    edit_added,
    find_adaptation,
    publish_adaptation,
    question_languages,
    remove_override,
    resolve_conflict,
    set_course_texts,
    set_hidden,
    set_quiz_settings,
    set_replacement,
    submit_adaptation,
)

bp = Blueprint("authoring", __name__, url_prefix="/workspace")

STATUS_LABELS = {
    overlay.UNTOUCHED: _l("Unchanged"), overlay.FOLLOWED: _l("Changed in the base course, followed"),
    overlay.LOCAL: _l("Adapted"), overlay.CONFLICT: _l("Conflict"),
    overlay.ORPHANED: _l("Removed from the base course"), overlay.NEW: _l("New in the base course"),
    overlay.ADDED_LOCALLY: _l("Added by the country"),
}


def pick(texts: dict | None, lang: str, default: str = "fr") -> str:
    """A text in ``lang``, else in the default language, else any."""
    texts = texts or {}
    return texts.get(lang) or texts.get(default) or next(iter(texts.values()), "")


KIND_LABELS = {"replace": _l("text replaced"), "hide": _l("hidden"), "add": _l("added by the country"),
               "settings": _l("quiz settings")}


@bp.app_context_processor
def _helpers():
    return {"pick_text": pick, "override_kinds": KIND_LABELS}


@bp.app_template_filter("authoring_markdown")
def _markdown(text: str) -> Markup:
    """Markdown a trainer typed, rendered and sanitized exactly as learners will get it."""
    return Markup(render_markdown(text or ""))


# --- loading with access checks -----------------------------------------------------------------------------


def _course(course_key: str) -> Course:
    require("content.author", ALL)
    course = db.session.scalar(select(Course).where(Course.key == course_key))
    if course is None:
        abort(404)
    return course


def _country(country_code: str) -> str:
    code = country_code.upper()
    if code.lower() not in COUNTRIES:
        abort(404)
    require("content.author", code, hide=True)
    return code


def _adaptation(course_key: str, country_code: str) -> tuple[Course, Adaptation]:
    course = _course(course_key)
    code = _country(country_code)
    adaptation = find_adaptation(course, code)
    if adaptation is None:
        abort(404)
    return course, adaptation


def _base(course: Course):
    try:
        return current_base(course)
    except AuthoringError:
        abort(404)


def _applied(action, message=None) -> bool:
    """Run a service ``action`` (the view's one commit): on success commit and flash ``message`` (a text, or a
    function of the action's result); on refusal roll back and flash the reason. True when it was applied."""
    try:
        result = action()
    except AuthoringError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False
    db.session.commit()
    if message is not None:
        flash(message(result) if callable(message) else message, "success")
    return True


def _posted(form, action, message=None) -> tuple[bool, int]:
    """A form page: (applied, status). On POST, a valid form runs ``action`` through ``_applied``; an invalid form
    or a refused action answers the page again with status 400. On GET: (False, 200)."""
    if request.method != "POST":
        return False, 200
    if form.validate_on_submit() and _applied(action, message):
        return True, 200
    return False, 400


def _done(action, done, refused, message=None):
    """A POST that runs one action: ``done`` when it was applied, the refusal page (back to ``refused``) if not."""
    return done if _applied(action, message) else _refused(refused)


def _refused(response):
    """A refused action: the reason (already flashed) on a page of the site layout with status 400, and a link back
    to where the person was (browsers do not follow a redirect answered with 400)."""
    return render_template("authoring/refused.html", back=response.location), 400


def _back(course: Course, adaptation: Adaptation):
    return redirect(url_for("authoring.adaptation", course_key=course.key, country_code=adaptation.country_code))


# --- workspace ----------------------------------------------------------------------------------------------


@bp.route("/")
@login_required
def index():
    require("content.author", ALL)
    courses = db.session.scalars(select(Course).where(Course.is_retired.is_(False)).order_by(Course.key)).all()
    trainer = scope(current_user, "trainer")
    countries = [c.upper() for c in COUNTRIES if trainer.covers(c.upper())]
    adaptations = db.session.scalars(select(Adaptation)).all()
    by_course = {(a.course_id, a.country_code): a for a in adaptations if a.country_code in countries}
    #: adaptations a new one may start from: the user's countries' and every published one
    sources: dict[int, list[str]] = {}
    for a in adaptations:
        if a.country_code in countries or a.published_at is not None:
            sources.setdefault(a.course_id, []).append(a.country_code)
    from ..content.models import CourseVersion

    bases = {v.course_id: v for v in db.session.scalars(select(CourseVersion).where(
        CourseVersion.country_code.is_(None), CourseVersion.is_current.is_(True)))}
    titles = {course.id: pick(bases[course.id].title if course.id in bases else {}, current_language(),
                              course.default_language) or course.key for course in courses}
    return render_template("authoring/index.html", courses=courses, countries=countries, by_course=by_course,
                           titles=titles, sources=sources, edit_base=can(current_user, "content.author", None))


@bp.route("/<course_key>/adaptations/<country_code>/create", methods=["POST"])
@login_required
def create(course_key: str, country_code: str):
    course = _course(course_key)
    code = _country(country_code)
    form = CreateAdaptationForm()
    others = db.session.scalars(select(Adaptation).where(Adaptation.course_id == course.id,
                                                         Adaptation.country_code != code)).all()
    visible = [a for a in others if can(current_user, "content.author", a.country_code) or a.published_at is not None]
    form.set_sources([(a.country_code, a.country_code) for a in visible])
    if find_adaptation(course, code) is not None:
        flash(_("This country already has an adaptation of this course."), "error")
        return redirect(url_for("authoring.adaptation", course_key=course.key, country_code=code))
    if not form.validate_on_submit():
        flash(_("The form expired or was incomplete. Send it again."), "error")
        return _refused(redirect(url_for("authoring.index")))
    version, base = _base(course)
    start = next((a for a in visible if a.country_code == form.start_from.data), None)
    create_adaptation(course, code, current_user, version, base, start_from=start)
    db.session.commit()
    flash(_("The adaptation was created. It follows the base course until you change something."), "success")
    return redirect(url_for("authoring.adaptation", course_key=course.key, country_code=code))


# --- an adaptation ------------------------------------------------------------------------------------------


def _outline(base) -> list[dict]:
    """Modules, activities and questions of the base course, for the item list."""
    rows = []
    for path, kind, obj in walk(base):
        if kind in ("module", "activity", "question"):
            rows.append({"path": path, "kind": kind, "obj": obj, "depth": path.count("/")})
    return rows


@bp.route("/<course_key>/adaptations/<country_code>")
@login_required
def adaptation(course_key: str, country_code: str):
    course, item = _adaptation(course_key, country_code)
    version, base = _base(course)
    report = adapt.status_report(item, base)
    statuses = {s.path: s.status for s in report.items}
    comments = db.session.scalars(select(ReviewComment).where(ReviewComment.adaptation_id == item.id)
                                  .order_by(ReviewComment.id).options(db.joinedload(ReviewComment.author))).all()
    added = {adapt.added_path(row): row.id for row in item.overrides if row.kind == "add"}
    return render_template("authoring/adaptation.html", course=course, adaptation=item, base=base,
                           version=version, report=report, statuses=statuses, outline=_outline(base),
                           labels=STATUS_LABELS, comments=comments, comment_form=CommentForm(),
                           publish_form=PublishForm(), may_review=can(current_user, "content.review", item.country_code),
                           own_submission=_own_submission(item.submitted_by_id), added=added,
                           added_path=adapt.added_path, lang=current_language())


def _own_submission(submitted_by_id: int | None) -> bool:
    """Did the current user send this for review (so someone else approves it; admins may approve their own)?"""
    return submitted_by_id == current_user.id and not current_user.has_role("admin")


def _item_fields(base, found) -> list[tuple[str, str]]:
    return [(name, lang) for name in adapt.replaceable_fields(found.kind, found.obj) for lang in base.languages]


@bp.route("/<course_key>/adaptations/<country_code>/items/<path:item_path>", methods=["GET", "POST"])
@login_required
def item(course_key: str, country_code: str, item_path: str):
    course, adaptation_ = _adaptation(course_key, country_code)
    _version, base = _base(course)
    found = locate(base, item_path)
    if found is None:
        abort(404)
    fields = _item_fields(base, found)
    mine = {f"{r.field}__{r.lang}": r.text for r in adaptation_.overrides
            if r.kind == "replace" and r.target == item_path}
    form = texts_form(fields, mine)
    def replace_texts():
        for name, lang in fields:
            set_replacement(adaptation_, base, item_path, name, lang, form[f"{name}__{lang}"].data or "",
                            current_user)

    applied, status = _posted(form, replace_texts, _("The country's texts were saved."))
    if applied:
        return redirect(request.path)
    hidden = any(r.kind == "hide" and r.target == item_path for r in adaptation_.overrides)
    settings_row = next((r for r in adaptation_.overrides if r.kind == "settings" and r.target == item_path), None)
    settings_form = None
    if found.kind == "activity" and found.obj.type == "quiz":
        settings_form = SettingsForm(formdata=None, data={
            "pass_mark": (settings_row.payload.get("pass_mark") if settings_row else None),
            "attempts": (settings_row.payload.get("attempts") if settings_row else None),
            "unlimited": bool(settings_row and "attempts" in settings_row.payload
                              and settings_row.payload["attempts"] is None)})
    base_texts = {f"{name}__{lang}": adapt.base_text(base, item_path, name, lang) or "" for name, lang in fields}
    comments = db.session.scalars(select(ReviewComment).where(
        ReviewComment.adaptation_id == adaptation_.id, ReviewComment.path == item_path)
        .order_by(ReviewComment.id).options(db.joinedload(ReviewComment.author))).all()
    comment_form = CommentForm(formdata=None, data={"path": item_path})
    return render_template("authoring/item.html", course=course, adaptation=adaptation_, base=base, found=found,
                           path=item_path, form=form, fields=fields, base_texts=base_texts, hidden=hidden,
                           settings_form=settings_form, comments=comments, comment_form=comment_form,
                           lang=current_language()), status


@bp.route("/<course_key>/adaptations/<country_code>/course-texts", methods=["GET", "POST"])
@login_required
def course_texts(course_key: str, country_code: str):
    """The course title and summary as the country's learners see them."""
    course_, adaptation_ = _adaptation(course_key, country_code)
    _version, base = _base(course_)
    fields = [(name, code) for name in ("title", "summary") for code in base.languages]
    form = texts_form(fields, {f"{name}__{code}": (getattr(adaptation_, name) or {}).get(code, "")
                               for name, code in fields})
    applied, status = _posted(form, lambda: set_course_texts(
        adaptation_, base, {(name, code): form[f"{name}__{code}"].data for name, code in fields}, current_user),
        _("The country's texts were saved."))
    if applied:
        return _back(course_, adaptation_)
    base_texts = {f"{name}__{code}": getattr(base, name).get(code, "") for name, code in fields}
    return render_template("authoring/item.html", course=course_, adaptation=adaptation_, base=base, found=None,
                           path="", form=form, fields=fields, base_texts=base_texts, hidden=False,
                           settings_form=None, comments=[], comment_form=None, lang=current_language()), status


@bp.route("/<course_key>/adaptations/<country_code>/hide/<path:item_path>", methods=["POST"])
@login_required
def hide(course_key: str, country_code: str, item_path: str):
    course, adaptation_ = _adaptation(course_key, country_code)
    _version, base = _base(course)
    form = PublishForm()  # only its CSRF token is used
    if not form.validate_on_submit() or locate(base, item_path) is None:
        abort(400)
    back = redirect(url_for("authoring.item", course_key=course.key, country_code=adaptation_.country_code,
                            item_path=item_path))
    return _done(lambda: set_hidden(adaptation_, base, item_path, request.form.get("hidden") == "1", current_user),
                 back, back)


@bp.route("/<course_key>/adaptations/<country_code>/settings/<path:item_path>", methods=["POST"])
@login_required
def settings(course_key: str, country_code: str, item_path: str):
    course, adaptation_ = _adaptation(course_key, country_code)
    _version, base = _base(course)
    form = SettingsForm()
    target = url_for("authoring.item", course_key=course.key, country_code=adaptation_.country_code,
                     item_path=item_path)
    if not form.validate_on_submit():
        flash(_("Check the pass mark (0 to 100) and the attempts (1 to 100)."), "error")
        return _refused(redirect(target))
    return _done(lambda: set_quiz_settings(adaptation_, base, item_path, form.pass_mark.data, form.attempts.data,
                                           form.unlimited.data, current_user),
                 redirect(target), redirect(target), _("The quiz settings were saved."))


def _override(adaptation_: Adaptation, override_id: int) -> Override:
    row = next((r for r in adaptation_.overrides if r.id == override_id), None)
    if row is None:
        abort(404)
    return row


@bp.route("/<course_key>/adaptations/<country_code>/overrides/<int:override_id>", methods=["GET", "POST"])
@login_required
def conflict(course_key: str, country_code: str, override_id: int):
    """The three-way view of one override: the old base, the new base and the country's text."""
    course, adaptation_ = _adaptation(course_key, country_code)
    _version, base = _base(course)
    row = _override(adaptation_, override_id)
    form = ResolveForm()
    form.set_actions(row.kind == "replace")
    if request.method == "GET" and row.kind == "replace":
        form.merged.data = row.text
    applied, status = _posted(form, lambda: resolve_conflict(adaptation_, base, row, form.action.data,
                                                             form.merged.data, current_user),
                              _("The change was resolved."))
    if applied:
        return _back(course, adaptation_)
    new_text = adapt.base_text(base, row.target, row.field, row.lang) if row.kind == "replace" else None
    deleted, inserted = _("deleted:"), _("inserted:")
    diffs = {}
    if row.kind == "replace":
        if row.base_text is not None and new_text is not None:
            diffs["upstream"] = adapt.word_diff(row.base_text, new_text, deleted, inserted)
        if new_text is not None:
            diffs["mine"] = adapt.word_diff(new_text, row.text or "", deleted, inserted)
    in_conflict = row.target is not None and adapt.row_in_conflict(
        adaptation_, row, item_hashes(base))
    return render_template("authoring/conflict.html", course=course, adaptation=adaptation_, row=row, form=form,
                           new_text=new_text, diffs=diffs, in_conflict=in_conflict), status


@bp.route("/<course_key>/adaptations/<country_code>/overrides/<int:override_id>/remove", methods=["POST"])
@login_required
def remove(course_key: str, country_code: str, override_id: int):
    course, adaptation_ = _adaptation(course_key, country_code)
    row = _override(adaptation_, override_id)
    if not PublishForm().validate_on_submit():
        abort(400)
    remove_override(adaptation_, row, current_user)
    db.session.commit()
    flash(_("The change was removed: the item follows the base course again."), "success")
    return _back(course, adaptation_)


@bp.route("/<course_key>/adaptations/<country_code>/local-lesson", methods=["GET", "POST"])
@login_required
def local_lesson(course_key: str, country_code: str):
    """A lesson of the country after an activity of the base course, in the languages the course requires."""
    course, adaptation_ = _adaptation(course_key, country_code)
    _version, base = _base(course)
    required = base.required_languages or [base.default_language]
    form = per_language(LocalLessonForm, LocalLessonForm.TEXTS, base.languages, required)
    lang = current_language()
    form.after.choices = options(
        [(f"{m.key}/{a.key}", f"{pick(m.title, lang)} › {pick(a.title, lang)}")
         for m in base.modules for a in m.activities])
    applied, status = _posted(form, lambda: add_local_lesson(
        adaptation_, base, form.after.data, form.key.data, language_texts(form, "title", base.languages),
        language_texts(form, "body", base.languages), (form.sources.data or "").splitlines(), current_user),
        _("The local lesson was added."))
    if applied:
        return _back(course, adaptation_)
    return render_template("authoring/local_lesson.html", course=course, adaptation=adaptation_, form=form,
                           languages=base.languages, required=required), status


def _short(text: str, size: int = 80) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[: size - 1] + "…"


def _quizzes(base, lang: str) -> list[tuple[str, str]]:
    """Every quiz of the base course as (path, "module › quiz") for a select."""
    return [(f"{m.key}/{a.key}", f"{pick(m.title, lang, base.default_language)} › "
                                 f"{pick(a.title, lang, base.default_language)}")
            for m in base.modules for a in m.activities if a.type == "quiz" and a.quiz is not None]


@bp.route("/<course_key>/adaptations/<country_code>/local-question", methods=["GET", "POST"])
@login_required
def local_question(course_key: str, country_code: str):
    """A question of the country in a quiz of the base course (``?quiz=<path>``): first, or after a question."""
    course, adaptation_ = _adaptation(course_key, country_code)
    _version, base = _base(course)
    lang = current_language()
    quizzes = _quizzes(base, lang)
    quiz_path = request.args.get("quiz") or (quizzes[0][0] if quizzes else "")
    if quiz_path not in dict(quizzes):
        abort(404)
    resolved = adapt.resolved_course(adaptation_, base).activity(quiz_path)
    questions = (resolved or base.activity(quiz_path)).quiz.questions
    languages, required = question_languages(base, quiz_path)
    form = per_language(LocalQuestionForm, LocalQuestionForm.TEXTS, languages, required)
    form.set_choices()
    places = place_choices([(q.key, _short(pick(q.text, lang, base.default_language))) for q in questions])
    form.after.choices = options(places)
    if request.method == "GET":
        form.after.data = places[-1][0]  # at the end of the quiz
    applied, status = _posted(form, lambda: add_local_question(
        adaptation_, base, quiz_path, form.after.data or None, form.key.data, form.type.data,
        language_texts(form, "text", languages), language_texts(form, "options", languages),
        form.answer.data == "true", current_user, points=form.points.data,
        feedback=language_texts(form, "feedback", languages)), _("The local question was added."))
    if applied:
        return _back(course, adaptation_)
    return render_template("authoring/local_question.html", course=course, adaptation=adaptation_, form=form,
                           quizzes=quizzes, quiz_path=quiz_path, languages=languages, required=required), status


@bp.route("/<course_key>/adaptations/<country_code>/local-module", methods=["GET", "POST"])
@login_required
def local_module(course_key: str, country_code: str):
    """A module of the country, with its first lesson, after a module of the course."""
    course, adaptation_ = _adaptation(course_key, country_code)
    _version, base = _base(course)
    lang = current_language()
    modules = adapt.resolved_course(adaptation_, base).modules
    required = base.required_languages or [base.default_language]
    form = per_language(LocalModuleForm, LocalModuleForm.TEXTS, base.languages, required)
    form.after.choices = options([(m.key, pick(m.title, lang, base.default_language)) for m in modules])
    if request.method == "GET" and modules:
        form.after.data = modules[-1].key
    applied, status = _posted(form, lambda: add_local_module(
        adaptation_, base, form.after.data, form.key.data, language_texts(form, "title", base.languages),
        form.lesson_key.data, language_texts(form, "lesson_title", base.languages),
        language_texts(form, "body", base.languages), (form.sources.data or "").splitlines(), current_user),
        _("The local module was added."))
    if applied:
        return _back(course, adaptation_)
    return render_template("authoring/local_module.html", course=course, adaptation=adaptation_, form=form,
                           languages=base.languages, required=required), status


def _added_form(base, item_):
    """The form editing an added item: every text of it and of its parts per language, a question's points and
    correct answers; with the names to read them back."""
    parts: dict[str, str] = {}
    fields, labels, data, names = [], {}, {}, {}
    for sub, _kind, name, obj in adapt.added_fields(item_):
        prefix = parts.setdefault(sub, f"p{len(parts)}")
        field_name = f"{prefix}-{name}"
        if sub:
            labels[field_name] = f"{sub} · {FIELD_LABELS.get(name, name)}"
        for code in base.languages:
            fields.append((field_name, code))
            data[f"{field_name}__{code}"] = (getattr(obj, name, None) or {}).get(code, "")
            names[(sub, name, code)] = f"{field_name}__{code}"
    extra = {}
    kind = adapt.added_kind(item_)
    if kind == "question" and item_.type in ("single_choice", "multiple_response"):
        for index, option in enumerate(item_.options):
            extra[f"correct-{index}"] = BooleanField(
                _l("Correct: %(option)s", option=_short(pick(option.text, current_language(), base.default_language),
                                                        60)), default=option.weight > 0)
    if kind == "question" and item_.type == "true_false":
        extra["answer"] = SelectField(_l("Correct answer"), default="true" if item_.answer else "false",
                                      choices=options([("true", _l("True")), ("false", _l("False"))]))
    points = item_.points if kind == "question" and item_.type != "reflection" else None
    return texts_form(fields, data, points=points, labels=labels, extra=extra), fields, names


@bp.route("/<course_key>/adaptations/<country_code>/overrides/<int:override_id>/edit", methods=["GET", "POST"])
@login_required
def edit_override(course_key: str, country_code: str, override_id: int):
    """Edit one of the country's changes: an item it added here (its texts in every language, a question's points
    and correct answers); a replaced text, a hidden item or quiz settings on the page of their item."""
    course, adaptation_ = _adaptation(course_key, country_code)
    row = _override(adaptation_, override_id)
    if row.kind != "add":
        return redirect(url_for("authoring.item", course_key=course.key, country_code=adaptation_.country_code,
                                item_path=row.target))
    _version, base = _base(course)
    item_ = added_item(adaptation_, base, row)
    status = 200
    form = fields = None
    if item_ is None:
        flash(_("This added item no longer fits the base course: remove it, or add it again."), "error")
        status = 400 if request.method == "POST" else 200
    else:
        form, fields, names = _added_form(base, item_)

        def save():
            kind = adapt.added_kind(item_)
            correct = {option.key: form[f"correct-{index}"].data for index, option in enumerate(item_.options)} \
                if kind == "question" and item_.type in ("single_choice", "multiple_response") else None
            answer = form["answer"].data == "true" if kind == "question" and item_.type == "true_false" else None
            return edit_added(adaptation_, base, row, {key: form[name].data or "" for key, name in names.items()},
                              current_user, points=form.points.data if "points" in form else None,
                              correct=correct, answer=answer)

        applied, status = _posted(form, save, lambda changed: _("Saved.") if changed else _("Nothing changed."))
        if applied:
            return redirect(request.path)
    return render_template("authoring/added.html", course=course, adaptation=adaptation_, row=row, form=form,
                           fields=fields, path=adapt.added_path(row)), status


@bp.route("/<course_key>/adaptations/<country_code>/submit", methods=["POST"])
@login_required
def submit(course_key: str, country_code: str):
    course, adaptation_ = _adaptation(course_key, country_code)
    if not PublishForm().validate_on_submit():
        abort(400)
    back = _back(course, adaptation_)
    return _done(lambda: submit_adaptation(adaptation_, current_user), back, back,
                 _("The adaptation is ready for review by another trainer."))


@bp.route("/<course_key>/adaptations/<country_code>/publish", methods=["POST"])
@login_required
def publish(course_key: str, country_code: str):
    course, adaptation_ = _adaptation(course_key, country_code)
    require("content.review", adaptation_.country_code)
    version, base = _base(course)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    back = _back(course, adaptation_)
    return _done(lambda: publish_adaptation(adaptation_, version, base, current_user, form.note.data or ""), back, back,
                 lambda published: _("Version %(n)s is published: learners of this country now get it.",
                                     n=published.number))


@bp.route("/<course_key>/adaptations/<country_code>/comments", methods=["POST"])
@login_required
def comment(course_key: str, country_code: str):
    course, adaptation_ = _adaptation(course_key, country_code)
    form = CommentForm()
    if not form.validate_on_submit():
        flash(_("Write a comment."), "error")
        return _refused(_back(course, adaptation_))
    add_comment(current_user, form.body.data, form.path.data or "", adaptation=adaptation_)
    db.session.commit()
    return _back(course, adaptation_)


@bp.route("/<course_key>/adaptations/<country_code>/preview")
@login_required
def preview(course_key: str, country_code: str):
    """The course as learners of the country will see it once published (lessons rendered and sanitized)."""
    course, adaptation_ = _adaptation(course_key, country_code)
    _version, base = _base(course)
    resolved = adapt.resolved_course(adaptation_, base)
    lang = request.args.get("lang") if request.args.get("lang") in base.languages else current_language()
    if lang not in base.languages:
        lang = base.default_language
    rendered = {}
    for module in resolved.modules:
        for activity in module.activities:
            if activity.type == "lesson":
                rendered[f"{module.key}/{activity.key}"] = render_markdown(pick(activity.body, lang,
                                                                                base.default_language))
    return render_template("authoring/preview.html", course=course, adaptation=adaptation_, resolved=resolved,
                           rendered=rendered, preview_lang=lang)


@bp.route("/<course_key>/adaptations/<country_code>/adaptation.yaml")
@login_required
def export(course_key: str, country_code: str):
    course, adaptation_ = _adaptation(course_key, country_code)
    _version, base = _base(course)
    text = dump_yaml(adaptation_file_data(adaptation_, base))
    return Response(text, mimetype="text/yaml", headers={
        "Content-Disposition": f'attachment; filename="{course.key}-{adaptation_.country_code.lower()}-adaptation.yaml"'})


# --- base course: drafts, review, publishing, history, translations -----------------------------------------


def _base_course(course_key: str) -> Course:
    """A course whose base the current user may edit (admins and trainers of all countries)."""
    course = _course(course_key)
    require("content.author", None)
    return course


def _draft(course: Course):
    draft = drafts.current_draft(course)
    if draft is None:
        abort(404)
    from ..content.services import load_version_tree

    return load_version_tree(draft.id)


def _to_course(course: Course):
    return redirect(url_for("authoring.course", course_key=course.key))


@bp.route("/<course_key>/")
@login_required
def course(course_key: str):
    course_ = _base_course(course_key)
    versions = drafts.base_versions(course_)
    draft = next((v for v in versions if v.status in ("draft", "review")), None)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(
        {v.published_by_id for v in versions if v.published_by_id} | {v.created_by_id for v in versions
                                                                       if v.created_by_id})))}
    return render_template("authoring/course.html", course=course_, versions=versions, draft=draft, users=users,
                           web_edited=drafts.web_edited(course_), lang=current_language())


@bp.route("/<course_key>/draft/new", methods=["POST"])
@login_required
def new_draft(course_key: str):
    course_ = _base_course(course_key)
    if not PublishForm().validate_on_submit():
        abort(400)
    from ..content.services import current_version

    current = current_version(course_, None)
    if current is None:
        abort(404)
    return _done(lambda: drafts.create_draft(course_, current, current_user),
                 redirect(url_for("authoring.draft", course_key=course_.key)), _to_course(course_))


@bp.route("/<course_key>/draft/")
@login_required
def draft(course_key: str):
    course_ = _base_course(course_key)
    version = _draft(course_)
    comments = db.session.scalars(select(ReviewComment).where(ReviewComment.version_id == version.id)
                                  .order_by(ReviewComment.id).options(db.joinedload(ReviewComment.author))).all()
    submission = drafts.pending_submission(version) if version.status == "review" else None
    module_form = None
    if version.status == "draft":
        module_form = ModuleForm(formdata=None)
        module_form.after.choices = options(place_choices(
            [(m.key, pick(m.title, current_language(), course_.default_language)) for m in version.modules]))
        module_form.after.data = version.modules[-1].key if version.modules else ""
    return render_template("authoring/draft.html", course=course_, version=version, comments=comments,
                           comment_form=CommentForm(), publish_form=PublishForm(), lang=current_language(),
                           may_review=can(current_user, "content.review", None), module_form=module_form,
                           own_submission=submission is not None and _own_submission(submission.submitted_by_id))


def _draft_fields(course_: Course, kind: str) -> list[tuple[str, str]]:
    return [(name, code) for name in drafts.EDITABLE[kind] for code in course_.languages]


@bp.route("/<course_key>/draft/items/", defaults={"item_path": ""}, methods=["GET", "POST"])
@bp.route("/<course_key>/draft/items/<path:item_path>", methods=["GET", "POST"])
@login_required
def draft_item(course_key: str, item_path: str):
    course_ = _base_course(course_key)
    version = _draft(course_)
    found = drafts.find_item(version, item_path)
    if found is None:
        abort(404)
    kind, row = found
    fields = _draft_fields(course_, kind)
    form = texts_form(fields, {f"{name}__{code}": (getattr(row, name) or {}).get(code, "") for name, code in fields},
                      points=row.points if kind == "question" else None)
    source = request.args.get("source")
    source = source if source in (course_.languages or []) and source != course_.default_language else None
    here = url_for("authoring.draft_item", course_key=course_.key, item_path=item_path, source=source)
    if request.method == "POST" and version.status != "draft":
        flash(_("This version is not an editable draft."), "error")
        status = 400
    else:
        applied, status = _posted(form, lambda: drafts.edit_texts(
            course_, version, item_path, {(name, code): form[f"{name}__{code}"].data or "" for name, code in fields},
            current_user, points=form.points.data if kind == "question" else None, source=source),
            lambda changed: _("Saved.") if changed else _("Nothing changed."))
        if applied:
            return redirect(here)
    extra = {"here": here, "source_label": LANGUAGE_LABELS.get(source, source) if source else None}
    if version.status == "draft" and kind == "module":
        extra["activity_form"] = ActivityForm(formdata=None)
        extra["activity_form"].set_choices()
        extra["activity_form"].after.choices = options(place_choices(
            [(a.key, pick(a.title, current_language(), course_.default_language)) for a in row.activities]))
        extra["activity_form"].after.data = row.activities[-1].key if row.activities else ""
    if version.status == "draft" and kind == "quiz":
        extra["gift_form"] = GiftImportForm(formdata=None)
        extra["gift_form"].set_choices(course_.languages or [course_.default_language])
        extra["question_form"] = QuestionForm(formdata=None)
        extra["question_form"].set_choices()
        settings_ = row.settings or {}
        extra["quiz_form"] = QuizSettingsForm(formdata=None, data={
            "pass_mark": settings_.get("pass_mark"), "attempts": settings_.get("attempts"),
            "shuffle": settings_.get("shuffle", False), "feedback": settings_.get("feedback") or "after_submit"})
        extra["quiz_form"].set_choices()
    if version.status == "draft" and kind == "question" and row.type in ("single_choice", "multiple_response"):
        extra["option_form"] = OptionForm(formdata=None)
    extra["comments"] = db.session.scalars(select(ReviewComment).where(
        ReviewComment.version_id == version.id, ReviewComment.path == item_path)
        .order_by(ReviewComment.id).options(db.joinedload(ReviewComment.author))).all()
    extra["comment_form"] = CommentForm(formdata=None, data={"path": item_path})
    image_form = None
    if kind == "lesson":
        image_form = ImageForm(formdata=None)
        image_form.lang.choices = options([(code, code) for code in course_.languages])
    return render_template("authoring/draft_item.html", course=course_, version=version, kind=kind, row=row,
                           path=item_path, form=form, fields=fields, image_form=image_form, **extra,
                           lang=current_language()), status


@bp.route("/<course_key>/draft/image/<path:item_path>", methods=["POST"])
@login_required
def draft_image(course_key: str, item_path: str):
    """Upload an image into a lesson of the draft (checked, resized, appended to the text as Markdown)."""
    course_ = _base_course(course_key)
    version = _draft(course_)
    form = ImageForm()
    form.lang.choices = options([(code, code) for code in course_.languages])
    back = url_for("authoring.draft_item", course_key=course_.key, item_path=item_path)
    if not form.validate_on_submit():
        flash(_("Choose an image and describe it."), "error")
        return _refused(redirect(back))
    return _done(lambda: drafts.add_lesson_image(course_, version, item_path, form.lang.data,
                                                 form.image.data.read(), form.alt.data, current_user),
                 redirect(back), redirect(back), _("The image was added at the end of the text."))


def _draft_action(course_key: str, item_path: str, form, action, back_path: str | None = None,
                  message=None):
    """Validate ``form``, run ``action(course, version)``, commit; back to the item page (``back_path``: another
    item's page, "/" the draft's page), with status 400 on refusal."""
    course_ = _base_course(course_key)
    version = _draft(course_)
    if back_path == "/":
        back = url_for("authoring.draft", course_key=course_.key)
    else:
        back = url_for("authoring.draft_item", course_key=course_.key,
                       item_path=item_path if back_path is None else back_path)
    if not form.validate_on_submit():
        flash(_("Check the form: %(errors)s", errors="; ".join(
            f"{form[name].label.text}: {' '.join(map(str, errs))}" for name, errs in form.errors.items()
            if name != "csrf_token") or _("the form expired, send it again")), "error")
        return _refused(redirect(back))
    return _done(lambda: action(course_, version), redirect(back), redirect(back), message or _("Saved."))


@bp.route("/<course_key>/draft/questions/<path:item_path>", methods=["POST"])
@login_required
def draft_add_question(course_key: str, item_path: str):
    form = QuestionForm()
    form.set_choices()
    return _draft_action(course_key, item_path, form, lambda course_, version: drafts.add_question(
        course_, version, item_path, form.key.data, form.type.data, form.text.data, form.options.data,
        form.answer.data == "true", current_user, points=form.points.data, feedback=form.feedback.data or ""))


@bp.route("/<course_key>/draft/modules", methods=["POST"])
@login_required
def draft_add_module(course_key: str):
    """A new module of the draft, first or after a module (its activities are added on its page)."""
    form = ModuleForm()
    form.after.validate_choice = False  # the service checks the place against the draft
    return _draft_action(course_key, "", form, lambda course_, version: drafts.add_module(
        course_, version, form.key.data, form.title.data, form.after.data or None, current_user), back_path="/",
        message=_("The module was added: add its activities on its page."))


@bp.route("/<course_key>/draft/activities/<path:item_path>", methods=["POST"])
@login_required
def draft_add_activity(course_key: str, item_path: str):
    """A new lesson or quiz in the module ``item_path`` of the draft."""
    form = ActivityForm()
    form.set_choices()
    form.after.validate_choice = False  # the service checks the place against the draft
    return _draft_action(course_key, item_path, form, lambda course_, version: drafts.add_activity(
        course_, version, item_path, form.key.data, form.type.data, form.title.data, form.after.data or None,
        form.body.data or "", (form.sources.data or "").splitlines(), current_user),
        message=_("The activity was added."))


@bp.route("/<course_key>/draft/gift/<path:item_path>", methods=["POST"])
@login_required
def draft_import_gift(course_key: str, item_path: str):
    """Add the questions of an uploaded Moodle GIFT file to a quiz of the draft."""
    course_ = _base_course(course_key)
    form = GiftImportForm()
    form.set_choices(course_.languages or [course_.default_language])

    def action(course_, version):
        try:
            text = form.file.data.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise AuthoringError(_("The file is not UTF-8 text. Save it as UTF-8 and try again."))
        rows = drafts.import_gift(course_, version, item_path, text, form.language.data, current_user)
        flash(ngettext("%(num)d question imported.", "%(num)d questions imported.", len(rows)), "success")

    return _draft_action(course_key, item_path, form, action)


@bp.route("/<course_key>/draft/gift/<path:item_path>.gift")
@login_required
def draft_export_gift(course_key: str, item_path: str):
    """Download the questions of a quiz of the draft as a Moodle GIFT file."""
    course_ = _base_course(course_key)
    version = _draft(course_)
    lang = request.args.get("language") or course_.default_language
    try:
        text = drafts.export_gift(version, item_path, lang)
    except AuthoringError as exc:
        flash(str(exc), "error")
        return _refused(redirect(url_for("authoring.draft_item", course_key=course_.key, item_path=item_path)))
    name = f"{course_.key}-{item_path.replace('/', '-')}.gift"
    return Response(text, mimetype="text/plain", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/<course_key>/draft/options/<path:item_path>", methods=["POST"])
@login_required
def draft_add_option(course_key: str, item_path: str):
    form = OptionForm()
    return _draft_action(course_key, item_path, form, lambda course_, version: drafts.add_option(
        course_, version, item_path, form.key.data, form.text.data, form.correct.data, current_user))


@bp.route("/<course_key>/draft/correct/<path:item_path>", methods=["POST"])
@login_required
def draft_correct(course_key: str, item_path: str):
    return _draft_action(course_key, item_path, PublishForm(), lambda course_, version: drafts.set_correct(
        version, item_path, request.form.get("correct") == "1", current_user),
        back_path=item_path.rpartition("/")[0])


@bp.route("/<course_key>/draft/quiz-settings/<path:item_path>", methods=["POST"])
@login_required
def draft_quiz_settings(course_key: str, item_path: str):
    form = QuizSettingsForm()
    form.set_choices()
    return _draft_action(course_key, item_path, form, lambda course_, version: drafts.set_base_quiz_settings(
        version, item_path, form.pass_mark.data, form.attempts.data, form.shuffle.data, form.feedback.data,
        current_user))


@bp.route("/<course_key>/draft/move/<path:item_path>", methods=["POST"])
@login_required
def draft_move(course_key: str, item_path: str):
    course_ = _base_course(course_key)
    version = _draft(course_)
    if not PublishForm().validate_on_submit():
        abort(400)
    draft_page = url_for("authoring.draft", course_key=course_.key)
    done = redirect(request.form.get("back") == "item" and url_for(
        "authoring.draft_item", course_key=course_.key, item_path=item_path.rpartition("/")[0]) or draft_page)
    return _done(lambda: drafts.move(version, item_path, -1 if request.form.get("direction") == "up" else 1,
                                     current_user), done, redirect(draft_page))


def _removed_message(learners: int) -> str:
    if not learners:
        return _("Removed. No learner had progress on it.")
    return ngettext("Removed. %(num)d learner has progress on it: it is kept, and comes back with any version "
                    "restored that has the item.",
                    "Removed. %(num)d learners have progress on it: it is kept, and comes back with any version "
                    "restored that has the item.", learners)


@bp.route("/<course_key>/draft/remove/<path:item_path>", methods=["GET", "POST"])
@login_required
def draft_remove(course_key: str, item_path: str):
    """Remove an item of the draft; a module or an activity after a confirmation page that says how many learners
    have progress on it (their progress is kept)."""
    course_ = _base_course(course_key)
    version = _draft(course_)
    found = drafts.find_item(version, item_path)
    if found is None or found[0] == "course":
        abort(404)
    kind, row = found
    whole = kind in ("module", "lesson", "quiz")
    if request.method == "POST" and not PublishForm().validate_on_submit():
        abort(400)
    if request.method == "GET" or (whole and request.form.get("confirm") != "1"):
        learners = drafts.learners_with_progress(course_, item_path) if whole else 0
        return render_template("authoring/remove.html", course=course_, version=version, kind=kind, row=row,
                               path=item_path, learners=learners, lang=current_language())
    draft_page = redirect(url_for("authoring.draft", course_key=course_.key))
    done = draft_page if whole else redirect(url_for("authoring.draft_item", course_key=course_.key,
                                                      item_path=item_path.rpartition("/")[0]))
    return _done(lambda: drafts.remove_item(version, item_path, current_user), done, draft_page,
                 _removed_message if whole else None)


@bp.route("/<course_key>/draft/submit", methods=["POST"])
@login_required
def draft_submit(course_key: str):
    course_ = _base_course(course_key)
    version = _draft(course_)
    if not PublishForm().validate_on_submit():
        abort(400)
    step = drafts.back_to_draft if request.form.get("back") == "1" else drafts.submit_draft
    draft_page = redirect(url_for("authoring.draft", course_key=course_.key))
    return _done(lambda: step(version, current_user), draft_page, draft_page)


@bp.route("/<course_key>/draft/publish", methods=["POST"])
@login_required
def draft_publish(course_key: str):
    course_ = _base_course(course_key)
    require("content.review", None)
    version = _draft(course_)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    return _done(lambda: drafts.publish_draft(course_, version, current_user, form.note.data or ""),
                 _to_course(course_), redirect(url_for("authoring.draft", course_key=course_.key)),
                 lambda _published: _("Version %(n)s is published.", n=version.number))


@bp.route("/<course_key>/draft/comments", methods=["POST"])
@login_required
def draft_comment(course_key: str):
    course_ = _base_course(course_key)
    version = _draft(course_)
    form = CommentForm()
    if not form.validate_on_submit():
        flash(_("Write a comment."), "error")
        return _refused(redirect(url_for("authoring.draft", course_key=course_.key)))
    add_comment(current_user, form.body.data, form.path.data or "", version=version)
    db.session.commit()
    return redirect(url_for("authoring.draft", course_key=course_.key))


def _base_version(course_: Course, number: int):
    from ..content.services import load_version_tree

    version = next((v for v in drafts.base_versions(course_) if v.number == number), None)
    if version is None:
        abort(404)
    return load_version_tree(version.id)


@bp.route("/<course_key>/versions/<int:number>")
@login_required
def version(course_key: str, number: int):
    course_ = _base_course(course_key)
    return render_template("authoring/version.html", course=course_, version=_base_version(course_, number),
                           lang=current_language())


@bp.route("/<course_key>/versions/<int:number>/restore", methods=["POST"])
@login_required
def restore(course_key: str, number: int):
    course_ = _base_course(course_key)
    source = _base_version(course_, number)
    if not PublishForm().validate_on_submit():
        abort(400)
    return _done(lambda: drafts.create_draft(course_, source, current_user,
                                             note=_("Restored from version %(n)s", n=number)),
                 redirect(url_for("authoring.draft", course_key=course_.key)), _to_course(course_),
                 _("Version %(n)s was copied into a new draft: review it, then publish it.", n=number))


@bp.route("/<course_key>/translations")
@login_required
def translations(course_key: str):
    course_ = _base_course(course_key)
    from ..content.services import current_version, load_version_tree

    source = drafts.current_draft(course_) or current_version(course_, None)
    if source is None:
        abort(404)
    version_ = load_version_tree(source.id)
    languages = course_.languages or [course_.default_language]
    compared = request.args.get("source")
    compared = compared if compared in languages else course_.default_language
    rows = drafts.translation_table(course_, version_, compared)
    todo = {code: [r for r in rows if r["status"].get(code) in (drafts.MISSING, drafts.STALE)]
            for code in languages if code != compared}
    return render_template("authoring/translations.html", course=course_, version=version_, rows=rows, todo=todo,
                           source=compared, languages=[(code, LANGUAGE_LABELS.get(code, code)) for code in languages],
                           editable=version_.status == "draft", lang=current_language())
