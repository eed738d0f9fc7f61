"""What trainees see: catalog, lessons, quizzes, progress, certificates.

Pages that record something on GET (a lesson view: progress and time spent) render first and commit last, so the
page is built from the objects as loaded, without reloading them after the commit.
"""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.permissions import can, login_required, permission_required, require
from ..extensions import db, utcnow
from ..i18n import current_language
from ..places.models import Country
from . import questions, quizzes, services
from .certificates import CertificateData, certificate_pdf
from .forms import KIND_LABELS, ActionForm, CatalogFilterForm, RevokeForm
from .texts import chain, pick

bp = Blueprint("learn", __name__)

#: the session key of the last learning page view: [enrolment id, activity path, unix time]
MARKER = "learn_seen"


def _path(module_key: str, activity_key: str) -> str:
    return f"{module_key}/{activity_key}"


def _activity_url(course_key: str, path: str, **kwargs) -> str:
    module_key, _sep, activity_key = path.partition("/")
    return url_for("learn.activity", course_key=course_key, module_key=module_key, activity_key=activity_key,
                   **kwargs)


def _outline_or_404(course_key: str, html_for: str | None = None) -> services.Outline:
    outline = services.load_outline(current_user, course_key, html_for=html_for)
    if outline is None:
        abort(404)
    return outline


def _checked_form() -> ActionForm:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400, description=_("The form expired. Go back, reload the page and try again."))
    return form


def _previous_view(enrolment_id: int, now):
    return services.seen_delta(session.get(MARKER), enrolment_id, now)


def _leave_page(enrolment) -> None:
    """A POST that leaves a page: credit the time spent on it and forget the marker."""
    services.credit_time(enrolment, _previous_view(enrolment.id, utcnow()))
    session.pop(MARKER, None)


@bp.app_template_global()
def activity_url(course_key: str, path: str, **kwargs) -> str:
    return _activity_url(course_key, path, **kwargs)


@bp.app_template_filter("tr")
def translated(texts, languages) -> str:
    """A content text (``{lang: text}``) in the first language of ``languages`` that has it."""
    return pick(texts, languages).text


# --- catalog, course page, enrolment, dashboard ---------------------------------------------------------------

@bp.route("/courses")
@permission_required("learn.take")
def catalog():
    form = CatalogFilterForm(request.args)
    if not form.validate():
        form.kind.data = form.language.data = ""
    entries = services.catalog(current_user, kind=form.kind.data or None, language=form.language.data or None)
    languages = chain(current_language(), None, "fr")
    return render_template("learn/catalog.html", form=form, entries=entries, languages=languages,
                           kinds=KIND_LABELS, action=ActionForm())


@bp.route("/courses/<course_key>")
@permission_required("learn.take")
def course(course_key: str):
    outline = _outline_or_404(course_key)
    completion = None
    if outline.enrolment is not None:
        completion = services.find_completion(outline.enrolment)
        if outline.enrolment.country_code != outline.version.country_code:  # the country published its variant
            outline.enrolment.country_code = outline.version.country_code
    html = render_template("learn/course.html", outline=outline, languages=outline.languages(current_language()),
                           completion=completion, kinds=KIND_LABELS, action=ActionForm())
    db.session.commit()
    return html


@bp.route("/courses/<course_key>/enrol", methods=["POST"])
@permission_required("learn.take")
def enrol(course_key: str):
    _checked_form()
    outline = _outline_or_404(course_key)
    already = outline.enrolment is not None
    services.enrol(current_user, outline)
    db.session.commit()
    if not already:
        flash(_("You are enrolled. Enjoy the course!"), "success")
    step = outline.next_step
    if step is None:
        return redirect(url_for("learn.course", course_key=course_key))
    return redirect(_activity_url(course_key, step.path))


@bp.route("/learning")
@permission_required("learn.take")
def dashboard():
    return render_template("learn/dashboard.html", **services.dashboard_context(current_user, current_language()))


# --- lessons and quiz pages ------------------------------------------------------------------------------------

@bp.route("/courses/<course_key>/<module_key>/<activity_key>")
@permission_required("learn.take")
def activity(course_key: str, module_key: str, activity_key: str):
    path = _path(module_key, activity_key)
    outline = _outline_or_404(course_key, html_for=path)
    step = outline.step(path)
    if step is None:
        abort(404)
    if outline.enrolment is None:
        flash(_("Enrol in the course to start it."), "info")
        return redirect(url_for("learn.course", course_key=course_key))
    languages = outline.languages(current_language())
    previous, following = outline.neighbours(path)
    context = {"outline": outline, "step": step, "languages": languages, "previous": previous,
               "following": following, "action": ActionForm()}
    if step.type == "quiz":
        attempts = quizzes.attempts_of(outline.enrolment, path)
        quiz_rules = quizzes.rules(step.settings, outline.version.completion)
        left = None if quiz_rules.attempts is None else max(0, quiz_rules.attempts - len(attempts))
        return render_template("learn/quiz.html", attempts=attempts, rules=quiz_rules, left=left,
                               open_attempt=next((a for a in attempts if a.submitted_at is None), None), **context)
    now = utcnow()
    done_now = outline.lessons_on_view and step.status != "done"
    services.track_view(outline.enrolment, path, _previous_view(outline.enrolment.id, now), now, done=done_now)
    if done_now:
        services.note_lesson_done_on_view(outline, step, now)
    session[MARKER] = services.make_marker(outline.enrolment.id, path, now)
    html = render_template("learn/lesson.html", shown=questions.html_text(outline.html or {}, {}, languages),
                           sources=outline.sources or [], **context)
    db.session.commit()
    return html


@bp.route("/courses/<course_key>/<module_key>/<activity_key>/done", methods=["POST"])
@permission_required("learn.take")
def mark_done(course_key: str, module_key: str, activity_key: str):
    _checked_form()
    path = _path(module_key, activity_key)
    outline = _outline_or_404(course_key)
    step = outline.step(path)
    if step is None:
        abort(404)
    if step.type != "lesson":  # a quiz is done by passing it
        return redirect(_activity_url(course_key, path))
    if outline.enrolment is None:
        return redirect(url_for("learn.course", course_key=course_key))
    _leave_page(outline.enrolment)
    services.complete_lesson(outline, step)
    db.session.commit()
    _previous, following = outline.neighbours(path)
    if following is not None:
        return redirect(_activity_url(course_key, following.path))
    flash(_("Lesson done."), "success")
    return redirect(url_for("learn.course", course_key=course_key))


@bp.route("/courses/<course_key>/<module_key>/<activity_key>/start", methods=["POST"])
@permission_required("learn.take")
def start_attempt(course_key: str, module_key: str, activity_key: str):
    _checked_form()
    path = _path(module_key, activity_key)
    outline = _outline_or_404(course_key)
    step = outline.step(path)
    if step is None or step.type != "quiz":
        abort(404)
    if outline.enrolment is None:
        return redirect(url_for("learn.course", course_key=course_key))
    _leave_page(outline.enrolment)
    try:
        attempt = quizzes.start_attempt(outline, step, quizzes.attempts_of(outline.enrolment, path))
    except services.LearnError:
        db.session.commit()
        flash(_("You have used all the attempts of this quiz."), "error")
        return redirect(_activity_url(course_key, path))
    db.session.commit()
    return redirect(url_for("learn.attempt", attempt_id=attempt.id))


# --- attempts --------------------------------------------------------------------------------------------------

def _attempt_or_404(attempt_id: int) -> quizzes.AttemptContext:
    """Only the learner's own attempts exist for them (404 for anyone else, whatever their role)."""
    ctx = quizzes.load_attempt(current_user, attempt_id)
    if ctx is None:
        abort(404)
    return ctx


def _languages(ctx: quizzes.AttemptContext) -> list[str]:
    return chain(current_language(), ctx.country_language, ctx.course.default_language, ctx.course.languages or [])


@bp.route("/attempts/<int:attempt_id>")
@permission_required("learn.take")
def attempt(attempt_id: int):
    ctx = _attempt_or_404(attempt_id)
    if ctx.is_submitted:
        return redirect(url_for("learn.review", attempt_id=attempt_id))
    page = ctx.first_open_page
    if not ctx.attempt.is_practice and page > len(ctx.order):
        return redirect(url_for("learn.summary", attempt_id=attempt_id))
    return redirect(url_for("learn.question", attempt_id=attempt_id, n=page))


def _render_question(ctx: quizzes.AttemptContext, n: int, key: str, round_: int, error: str | None = None,
                     status: int = 200):
    languages = _languages(ctx)
    model = ctx.models[key]
    answer = ctx.answer(key, round_)
    response = answer.response if answer is not None else None
    locked = quizzes.is_locked(ctx, key, round_)
    shown = questions.present(model, ctx.rendered(key), languages, ctx.attempt.seed,
                              ctx.rules.shuffle, None if model.type == "scenario" else response,
                              scenario_path=response if model.type == "scenario" else None)
    marked = None
    if locked and ctx.answered(key, round_) and (ctx.rules.immediate or ctx.attempt.is_practice):
        marked = questions.mark(model, ctx.rendered(key), response, languages)
    practice = ctx.attempt.is_practice
    total = len(ctx.order)
    return render_template(
        "learn/question.html", ctx=ctx, n=n, total=total, shown=shown, locked=locked, marked=marked,
        practice=practice, error=error, languages=languages, action=ActionForm(),
        answered=ctx.answered(key, round_), points=ctx.enrolment.points,
        history=ctx.history() if practice else None,
        activity_title=pick(ctx.activity.title, languages).text,
        answered_count=sum(1 for k in ctx.order if ctx.answered(k)) if not practice else None,
    ), status


@bp.route("/attempts/<int:attempt_id>/<int:n>", methods=["GET", "POST"])
@permission_required("learn.take")
def question(attempt_id: int, n: int):
    ctx = _attempt_or_404(attempt_id)
    if ctx.is_submitted:
        if request.method == "POST":
            flash(_("This attempt is already submitted: your answers were kept as they were."), "info")
        return redirect(url_for("learn.review", attempt_id=attempt_id))
    key, round_ = ctx.question_at(n)
    if key is None:
        if not ctx.attempt.is_practice and n == len(ctx.order) + 1:
            return redirect(url_for("learn.summary", attempt_id=attempt_id))
        abort(404)
    if ctx.attempt.is_practice and n > ctx.draws_done + 1:
        return redirect(url_for("learn.question", attempt_id=attempt_id, n=ctx.draws_done + 1))
    if request.method == "GET":
        return _render_question(ctx, n, key, round_)

    _checked_form()
    if quizzes.is_locked(ctx, key, round_):
        return redirect(url_for("learn.question", attempt_id=attempt_id, n=n))
    model = ctx.models[key]
    existing = ctx.answer(key, round_)
    try:
        response = questions.parse(model, request.form, ctx.attempt.seed, ctx.rules.shuffle,
                                   path=existing.response if existing is not None and model.type == "scenario"
                                   else None)
    except questions.AnswerError as error:
        return _render_question(ctx, n, key, round_, error=str(error), status=400)
    quizzes.save_answer(ctx, key, round_, response, current_language())
    complete = questions.is_complete(model, response)
    if ctx.attempt.is_practice:
        if complete and quizzes.mastered(ctx):
            quizzes.submit(ctx, current_user)
            db.session.commit()
            flash(_("Well done: you mastered this round!"), "success")
            return redirect(url_for("learn.review", attempt_id=attempt_id))
        db.session.commit()
        return redirect(url_for("learn.question", attempt_id=attempt_id, n=n))
    db.session.commit()
    if not complete or ctx.rules.immediate:
        return redirect(url_for("learn.question", attempt_id=attempt_id, n=n, _anchor="feedback"))
    if n >= len(ctx.order):
        return redirect(url_for("learn.summary", attempt_id=attempt_id))
    return redirect(url_for("learn.question", attempt_id=attempt_id, n=n + 1))


@bp.route("/attempts/<int:attempt_id>/summary")
@permission_required("learn.take")
def summary(attempt_id: int):
    ctx = _attempt_or_404(attempt_id)
    if ctx.is_submitted:
        return redirect(url_for("learn.review", attempt_id=attempt_id))
    if ctx.attempt.is_practice:
        return redirect(url_for("learn.attempt", attempt_id=attempt_id))
    languages = _languages(ctx)
    items = [(n, key, ctx.answered(key), questions.html_text(ctx.rendered(key).get("text") or {},
                                                             ctx.models[key].text, languages))
             for n, key in enumerate(ctx.order, start=1)]
    return render_template("learn/summary.html", ctx=ctx, items=items, languages=languages, action=ActionForm(),
                           missing_count=sum(1 for item in items if not item[2]),
                           activity_title=pick(ctx.activity.title, languages).text)


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@permission_required("learn.take")
def submit(attempt_id: int):
    _checked_form()
    ctx = _attempt_or_404(attempt_id)
    result = quizzes.submit(ctx, current_user)
    db.session.commit()
    if not result.recorded:
        flash(_("This attempt was already submitted."), "info")
    return redirect(url_for("learn.review", attempt_id=attempt_id))


@bp.route("/attempts/<int:attempt_id>/review")
@permission_required("learn.take")
def review(attempt_id: int):
    ctx = _attempt_or_404(attempt_id)
    if not ctx.is_submitted:
        return redirect(url_for("learn.attempt", attempt_id=attempt_id))
    languages = _languages(ctx)
    items = []
    if ctx.attempt.is_practice:
        draws = [ctx.question_at(n) for n in range(1, ctx.draws_done + 1)]
    else:
        draws = [(key, 0) for key in ctx.order]
    for key, round_ in draws:
        model = ctx.models[key]
        answer = ctx.answer(key, round_)
        response = answer.response if answer is not None else None
        items.append({"model": model, "answered": answer is not None,
                      "text": questions.html_text(ctx.rendered(key).get("text") or {}, model.text, languages),
                      "marked": questions.mark(model, ctx.rendered(key), response, languages)})
    attempts = quizzes.attempts_of(ctx.enrolment, ctx.attempt.activity_path)
    left = None if ctx.rules.attempts is None else max(0, ctx.rules.attempts - len(attempts))
    return render_template("learn/review.html", ctx=ctx, items=items, languages=languages, left=left,
                           attempts=attempts, action=ActionForm(),
                           activity_title=pick(ctx.activity.title, languages).text)


# --- certificates ----------------------------------------------------------------------------------------------

def _variant_label(found) -> str:
    _completion, _user, _course, version = found
    if version is None or not version.country_code:
        return ""
    country = db.session.get(Country, version.country_code)
    return _("Version for %(country)s", country=country.name(current_language()) if country else version.country_code)


@bp.route("/certificates/<code>.pdf")
@login_required
def certificate(code: str):
    found = services.find_certificate(code)
    if found is None or found[0].user_id != current_user.id:
        abort(404)
    completion, user, course, version = found
    if completion.revoked_at is not None:
        flash(_("This certificate was revoked."), "error")
        return redirect(url_for("learn.verify", code=completion.certificate_code))
    lang = current_language()
    languages = chain(lang, None, course.default_language, course.languages or [])
    data = CertificateData(
        name=user.name, course_title=pick(version.title if version else {}, languages).text or course.key,
        variant=_variant_label(found), completed_on=completion.completed_at, hours=completion.hours,
        code=completion.certificate_code,
        verify_url=url_for("learn.verify", code=completion.certificate_code, _external=True), lang=lang)
    response = Response(certificate_pdf(data), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="certificate-{completion.certificate_code}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _render_verify(code: str, found, form: RevokeForm, status: int = 200):
    languages = chain(current_language(), None, "fr")
    return render_template("learn/verify.html", code=code, found=found, form=form, languages=languages,
                           variant=_variant_label(found) if found else "",
                           may_revoke=bool(found) and can(current_user, "certificates.revoke", found[0].country_code)
                           ), status


@bp.route("/verify/<code>")
def verify(code: str):
    found = services.find_certificate(code)
    return _render_verify(code, found, RevokeForm(), 200 if found else 404)


@bp.route("/verify/<code>/revoke", methods=["POST"])
@login_required
def revoke(code: str):
    found = services.find_certificate(code)
    if found is None:
        abort(404)
    completion = found[0]
    require("certificates.revoke", completion.country_code)
    form = RevokeForm()
    if not form.validate_on_submit():
        return _render_verify(code, found, form, 400)
    if completion.revoked_at is not None:
        flash(_("This certificate was already revoked."), "info")
        return redirect(url_for("learn.verify", code=completion.certificate_code))
    services.revoke_certificate(completion, current_user, form.reason.data.strip())
    db.session.commit()
    flash(_("The certificate is revoked."), "success")
    return redirect(url_for("learn.verify", code=completion.certificate_code))
