"""What coordinators see: dashboards, charts, exports (CSV, XLSX, JSON, xAPI), cohorts, report subscriptions."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ..accounts.permissions import can, permission_required, require
from ..accounts.services import audit
from ..content.models import Course
from ..core.forms import options
from ..extensions import db
from ..i18n import current_language
from ..learn.models import LearningEvent
from ..places.models import Country, Municipality, Region
from . import charts, cohorts, exports, reports, services, xapi
from .forms import (
    CohortForm,
    CohortInviteForm,
    FilterForm,
    SubscriptionForm,
    UnsubscribeForm,
)
from .models import ReportSubscription

bp = Blueprint("stats", __name__, url_prefix="/stats")
xapi.install_outbox()


def _bad_request(message: str):
    return render_template("errors/error.html", code=400, title=_("Bad request"), message=message), 400


def _filters_or_400():
    """(filters, None) or (None, a 400 response); 403 when a filter names a place outside the user's scope."""
    try:
        filters = services.parse_filters(request.args)
    except services.StatsError as error:
        return None, _bad_request(str(error))
    if not services.may_see(current_user, filters):
        abort(403)
    return filters, None


def _filter_form(filters: services.Filters, lang: str) -> FilterForm:
    form = FilterForm(formdata=request.args)
    blank = [("", "—")]
    countries = db.session.scalars(select(Country).where(services.scope_clause(current_user, Country.code))
                                   .order_by(Country.position))
    form.country.choices = options(blank + [(c.code, c.name(lang)) for c in countries])
    regions, towns = [], []
    if filters.country:
        regions = db.session.scalars(select(Region).where(Region.country_code == filters.country.code)
                                     .order_by(Region.name_fr))
        statement = select(Municipality).join(Region).where(Region.country_code == filters.country.code)
        if filters.region:
            statement = statement.where(Region.id == filters.region.id)
        towns = db.session.scalars(statement.order_by(Municipality.name_fr))
    form.region.choices = options(blank + [(r.code, r.name(lang)) for r in regions])
    form.municipality.choices = options(blank + [(m.code, m.name(lang)) for m in towns])
    courses = db.session.execute(select(Course.key).order_by(Course.key))
    form.course.choices = options(blank + [(key, key) for (key,) in courses])
    form.cohort.choices = options(blank + cohorts.cohort_choices(current_user))
    return form


def _charts(board: services.Dashboard) -> dict[str, Any]:
    level_names = {"country": _("country"), "region": _("region"), "municipality": _("municipality")}
    months = [(m.month, None if m.hidden else m.count) for m in board.months]
    line = charts.line_chart(
        _("Completions per month"),
        _("Number of course completions per month, from %(start)s to %(end)s. Months with fewer than %(k)s "
          "completions are left out. The same figures are in the table next to the chart.",
          start=months[0][0] if months else "", end=months[-1][0] if months else "", k=board.k),
        months)
    rated = sorted(((r.label, r.completion_rate) for r in board.places.rows
                    if r.value("completion_rate") is not None), key=lambda item: -item[1])
    bars = charts.bar_chart(
        _("Completion rate per %(level)s", level=level_names[board.level]),
        _("Percentage of enrolled learners who completed, per %(level)s, highest first; places whose figures are "
          "withheld are not drawn. The table next to the chart has every figure.", level=level_names[board.level]),
        rated)
    series = [_("Completed"), _("In progress"), _("Not started")]
    stacked = {}
    for group in ("sex", "age_band"):
        rows = board.breakdowns[group].rows
        categories = [(r.label, [None if {"completed", "started", "enrolled"} & r.hidden else r.completed,
                                 None if {"completed", "started", "enrolled"} & r.hidden else r.in_progress,
                                 None if {"started", "enrolled"} & r.hidden else r.not_started]) for r in rows]
        stacked[group] = charts.stacked_bars(
            _("Progress by %(what)s", what=str(services.BREAKDOWNS[group][0]).lower()),
            _("For each group, the share of learners who completed, are in progress, or have not started. "
              "Groups with withheld figures are drawn as an empty outline."),
            categories, series)
    return {"line": line, "bars": bars, "stacked": stacked}


@bp.route("/")
@permission_required("stats.view")
def dashboard():
    filters, error = _filters_or_400()
    if error:
        return error
    lang = current_language()
    suppress = services.suppression_applies(current_user, request.args.get("raw") == "y")
    board = services.dashboard(current_user, filters, lang, suppress=suppress)
    return render_template(
        "stats/dashboard.html", board=board, filters=filters, form=_filter_form(filters, lang),
        crumbs=services.breadcrumbs(filters, lang), charts=_charts(board), drill=services.drill_params,
        breakdown_titles={g: t for g, (t, _c) in services.BREAKDOWNS.items()},
    )


def _stream(chunks: Iterable[Any], fmt: str, name: str) -> Response:
    """A download written as ``chunks`` come. Everything the chunks need from the request (actor, filters) is read
    before this; a session the chunks open once the request's own is torn down is closed when they end."""
    request_session = db.session()

    def generate() -> Iterator[Any]:
        try:
            yield from chunks
        finally:
            if db.session() is not request_session:
                db.session.remove()

    response = Response(stream_with_context(generate()), mimetype=exports.MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _format_or_none() -> tuple[str, str] | None:
    fmt = request.args.get("format", "csv")
    delimiter = request.args.get("delimiter", ";")
    if fmt not in exports.FORMATS or delimiter not in (";", ","):
        return None
    return fmt, delimiter


@bp.route("/export")
@permission_required("stats.view")
def export():
    filters, error = _filters_or_400()
    if error:
        return error
    chosen = _format_or_none()
    level = request.args.get("level") or services.level_for(filters)
    if chosen is None or level not in services.LEVELS:
        return _bad_request(_("Choose a format (csv, xlsx or json), a delimiter (; or ,) and a level (country, "
                              "region or municipality)."))
    fmt, delimiter = chosen
    lang = current_language()
    suppress = services.suppression_applies(current_user, request.args.get("raw") == "y")
    k = services.min_cell()
    name = exports.filename(level, filters, fmt)
    if fmt == "csv":
        places = services.table(current_user, filters, level, lang, suppress=suppress, k=k)
        rows = len(places.rows) + 1
        chunks: Iterable[Any] = exports.csv_stream(exports.table_records(places, filters, level), k,
                                                   delimiter=delimiter)
    else:
        found = services.tables(current_user, filters, [level, "course", *services.BREAKDOWNS], lang,
                                suppress=suppress, k=k)
        tables = {"places": found.pop(level), "courses": found.pop("course"), **found}
        rows = sum(len(t.rows) + 1 for t in tables.values())
        if fmt == "xlsx":
            chunks = exports.xlsx_chunks(exports.dashboard_sheets(tables, filters, level), k)
        else:
            meta = exports.export_meta(current_user.email, filters, level, k, suppress,
                                       tables["places"].as_of)
            chunks = exports.json_stream({name_: exports.table_records(t, filters, level if name_ == "places" else name_)
                                          for name_, t in tables.items()}, meta)
    audit(current_user, "stats.export", None, country=filters.country_code, level=level, format=fmt,
          filters=filters.describe(), rows=rows, suppressed=suppress, via="web")
    db.session.commit()
    return _stream(chunks, fmt, name)


@bp.route("/export/learners")
@permission_required("stats.learner_level")
def export_learners():
    filters, error = _filters_or_400()
    if error:
        return error
    chosen = _format_or_none()
    if chosen is None or chosen[0] == "xlsx":
        return _bad_request(_("Learner-level exports are available as csv or json."))
    fmt, delimiter = chosen
    names = request.args.get("names") == "1"
    rows = services.count_learner_rows(current_user, filters)
    audit(current_user, "stats.export", None, country=filters.country_code, level="learner", format=fmt,
          filters=filters.describe(), rows=rows, names=names, via="web")
    db.session.commit()
    records = services.learner_rows(current_user, filters, names=names)
    columns = exports.learner_columns(names)
    if fmt == "csv":
        chunks: Iterable[Any] = exports.csv_stream(records, services.min_cell(), delimiter=delimiter, columns=columns)
    else:
        chunks = xapi.json_array(records)
    return _stream(chunks, fmt, exports.filename("learners", filters, fmt))


@bp.route("/xapi")
@permission_required("stats.learner_level")
def xapi_export():
    filters, error = _filters_or_400()
    if error:
        return error
    count = db.session.scalar(select(func.count(LearningEvent.id)).where(
        *([LearningEvent.created_at >= filters.start] if filters.start else []),
        *([LearningEvent.created_at < filters.end] if filters.end else []))) or 0
    audit(current_user, "stats.export", None, level="xapi", format="json", filters=filters.describe(), rows=count,
          via="web")
    db.session.commit()
    chunks = xapi.json_array(xapi.statements(current_user, filters.start, filters.end))
    return _stream(chunks, "json", exports.filename("xapi", filters, "json"))


# --- cohorts -------------------------------------------------------------------------------------

@bp.route("/cohorts")
@permission_required("cohorts.manage")
def cohort_list():
    return render_template("stats/cohorts.html", cohorts=cohorts.visible_cohorts(current_user))


def _municipality_choices(lang: str) -> list[tuple[str, str]]:
    statement = (select(Municipality, Region.country_code).join(Region)
                 .where(Municipality.is_active.is_(True)).order_by(Region.country_code, Municipality.name_fr))
    return [(m.code, f"{m.name(lang)} ({cc})") for m, cc in db.session.execute(statement)
            if can(current_user, "cohorts.manage", cc)]


@bp.route("/cohorts/new", methods=["GET", "POST"])
@permission_required("cohorts.manage")
def new_cohort():
    lang = current_language()
    form = CohortForm()
    form.municipality.choices = options([("", "—")] + _municipality_choices(lang))
    form.course.choices = options([("", "—")] + [(k, k) for (k,) in db.session.execute(
        select(Course.key).where(Course.is_retired.is_(False)).order_by(Course.key))])
    if form.validate_on_submit():
        municipality = db.session.scalar(select(Municipality).where(Municipality.code == form.municipality.data))
        course = db.session.scalar(select(Course).where(Course.key == form.course.data)) if form.course.data else None
        if municipality is None:
            form.municipality.errors = [_("Choose a municipality.")]
        else:
            require("cohorts.manage", municipality.region.country_code)
            try:
                cohort = cohorts.create_cohort(name=form.name.data or "", municipality=municipality,
                                               trainer=current_user, course=course, starts_on=form.starts_on.data,
                                               ends_on=form.ends_on.data)
            except services.StatsError as error:
                form.ends_on.errors = [str(error)]
            else:
                db.session.commit()
                flash(_("Cohort “%(name)s” created. Invite its learners now.", name=cohort.name), "success")
                return redirect(url_for("stats.cohort_invite", cohort_id=cohort.id))
    return render_template("stats/cohort_form.html", form=form), (400 if form.is_submitted() else 200)


def _cohort_or_404(cohort_id: int):
    cohort = cohorts.get_cohort(current_user, cohort_id)
    if cohort is None:
        abort(404)
    return cohort


@bp.route("/cohorts/<int:cohort_id>")
@permission_required("cohorts.manage")
def cohort(cohort_id: int):
    found = _cohort_or_404(cohort_id)
    return render_template("stats/cohort.html", cohort=found, members=cohorts.cohort_overview(found))


@bp.route("/cohorts/<int:cohort_id>/invite", methods=["GET", "POST"])
@permission_required("cohorts.manage")
def cohort_invite(cohort_id: int):
    found = _cohort_or_404(cohort_id)
    form = CohortInviteForm()
    report = None
    if form.validate_on_submit():
        text = form.people.data or ""
        upload = form.file.data
        if upload and getattr(upload, "filename", ""):
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                form.file.errors = [_("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")]
                return render_template("stats/cohort_invite.html", form=form, cohort=found, report=None), 400
        if not text.strip():
            form.people.errors = [_("Paste at least one line or choose a file.")]
            return render_template("stats/cohort_invite.html", form=form, cohort=found, report=None), 400
        report, invited = cohorts.invite_to_cohort(found, text, current_user)
        if report.errors:
            db.session.rollback()
            flash(_("Nothing was saved: correct the lines below and try again."), "error")
            return render_template("stats/cohort_invite.html", form=form, cohort=found, report=report), 400
        db.session.commit()
        flash(_("%(n)s people invited to the cohort; each received a link to choose a password.", n=len(invited)),
              "success")
        return redirect(url_for("stats.cohort", cohort_id=found.id))
    return render_template("stats/cohort_invite.html", form=form, cohort=found, report=report), (
        400 if form.is_submitted() else 200)


# --- report subscriptions ------------------------------------------------------------------------

@bp.route("/subscriptions", methods=["GET", "POST"])
@permission_required("stats.view")
def subscriptions():
    lang = current_language()
    form = SubscriptionForm()
    countries = list(db.session.scalars(select(Country).where(services.scope_clause(current_user, Country.code))
                                        .order_by(Country.position)))
    form.country.choices = options([(c.code, c.name(lang)) for c in countries])
    towns = db.session.execute(select(Municipality, Region.country_code).join(Region)
                               .where(services.scope_clause(current_user, Region.country_code))
                               .order_by(Region.country_code, Municipality.name_fr))
    form.municipality.choices = options([("", "—")] + [(m.code, f"{m.name(lang)} ({cc})") for m, cc in towns])
    unsubscribe = UnsubscribeForm(prefix="u")
    status = 200
    if request.method == "POST" and "u-subscription" in request.form:
        if unsubscribe.validate_on_submit():
            raw = unsubscribe.subscription.data or ""
            found = db.session.scalar(select(ReportSubscription).where(
                ReportSubscription.id == int(raw), ReportSubscription.user_id == current_user.id)
            ) if raw.isdigit() else None
            if found is None:
                abort(404)
            db.session.delete(found)
            db.session.commit()
            flash(_("Subscription removed."), "success")
            return redirect(url_for("stats.subscriptions"))
        status = 400
    elif form.validate_on_submit():
        country = db.session.get(Country, form.country.data)
        municipality = (db.session.scalar(select(Municipality).where(Municipality.code == form.municipality.data))
                        if form.municipality.data else None)
        if municipality is not None and municipality.region.country_code != (country.code if country else None):
            form.municipality.errors = [_("This municipality is not in the chosen country.")]
            status = 400
        else:
            require("stats.view", country.code if country else None)
            reports.subscribe(current_user, country, municipality)
            db.session.commit()
            flash(_("Subscribed: the report arrives at the start of every month."), "success")
            return redirect(url_for("stats.subscriptions"))
    elif form.is_submitted():
        status = 400
    mine = list(db.session.scalars(select(ReportSubscription).where(ReportSubscription.user_id == current_user.id)
                                   .order_by(ReportSubscription.id)))
    return render_template("stats/subscriptions.html", form=form, subscriptions=mine,
                           unsubscribe_form=unsubscribe), status
