"""Statistics for coordinators: every figure is a SQL aggregate over the rows the actor may see.

Figures of a table (one row per country, region, municipality, course variant, sex, age band or profile):

- *enrolled*: enrolments made in the period (all time when no period is given);
- *started*: of those, enrolments whose learner opened a lesson or a quiz (enrolling alone is not starting) by the
  period's end; *completed*: completed by the period's end;
- *completion rate*: completed / enrolled, percent;
- *average / median best quiz score*: per learner, the mean of their best submitted score in each quiz, then the
  mean / median over the learners of the row who submitted a quiz;
- *median days to completion*: from enrolment to completion, over the completers;
- *active learners*: distinct learners with a learning event in the period (whenever they enrolled).

Speed: each enrolment carries a summary kept by the learner pages in the same transaction as the activity
(``started_at``, ``last_activity_at``, ``quiz_score`` = the mean of its best scores), so a dashboard is one pass over
the enrolments — one GROUPING SETS statement on PostgreSQL for every table. Only a period that ends before now needs
the figures as they stood then: scores are re-read from the attempts submitted before the end and activity from the
learning events of the period. On a large platform the views without dates are read from a snapshot that
``flask stats refresh`` computes with these same functions for every place and course (``snapshot.py``).

Rows come from ``scoped()``: enrolments filtered in SQL by the actor's statistics scope (the permission layer's
``scope(actor, "coordinator")``) and the filters, never hidden after the fact. Small counts are then suppressed
(``suppression.py``) for anyone without the ``stats.learner_level`` permission.
"""
from __future__ import annotations

import hmac
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from hashlib import sha256
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, false, func, literal, select, text, true, tuple_
from sqlalchemy.sql import ColumnElement, Select

from ..accounts.forms import AGE_CHOICES, PROFILE_CHOICES, SEX_CHOICES
from ..accounts.models import User
from ..accounts.permissions import Scope, can, scope
from ..content.models import Course, CourseVersion
from ..extensions import db
from ..learn.models import Enrolment, LearningEvent, QuizAttempt
from ..places.models import Country, Municipality, Region
from . import snapshot, suppression
from .models import Cohort, CohortMember


class StatsError(ValueError):
    """A user-facing refusal of bad input (already translated)."""


#: the tables a dashboard can group by
GROUPS = ("country", "region", "municipality", "course", "sex", "age_band", "profile", "total")
LEVELS = ("country", "region", "municipality")
BREAKDOWNS = {"sex": (_l("Sex"), SEX_CHOICES), "age_band": (_l("Age band"), AGE_CHOICES),
              "profile": (_l("Profile"), PROFILE_CHOICES)}
COUNTS = ("enrolled", "started", "completed", "active")
DERIVED = ("completion_rate", "avg_score", "median_score", "median_days")


def min_cell(app: Any = None) -> int:
    return int((app or current_app).config.get("STATS_MIN_CELL", 5))


# --- scope and filters ---------------------------------------------------------------------------

def stats_scope(actor: Any) -> Scope:
    """Countries whose statistics ``actor`` may see (from the permission layer)."""
    return scope(actor, "coordinator")


def scope_clause(actor: Any, column: Any) -> ColumnElement[bool]:
    countries = stats_scope(actor)
    if countries.is_all:
        return true()
    if not countries:
        return false()
    return column.in_(sorted(countries))


@dataclass(frozen=True)
class Filters:
    since: date | None = None
    until: date | None = None
    country: Country | None = None
    region: Region | None = None
    municipality: Municipality | None = None
    course: Course | None = None
    cohort: Cohort | None = None

    @property
    def country_code(self) -> str | None:
        return self.country.code if self.country else None

    @property
    def start(self) -> datetime | None:
        return datetime.combine(self.since, time(), UTC) if self.since else None

    @property
    def end(self) -> datetime | None:
        """Exclusive end: the day after ``until``."""
        return datetime.combine(self.until + timedelta(days=1), time(), UTC) if self.until else None

    def params(self, **changes: Any) -> dict[str, str]:
        """URL query arguments for these filters (``changes`` override, None removes)."""
        values = {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "country": self.country.code if self.country else None,
            "region": self.region.code if self.region else None,
            "municipality": self.municipality.code if self.municipality else None,
            "course": self.course.key if self.course else None,
            "cohort": str(self.cohort.id) if self.cohort else None,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v}

    def describe(self) -> dict[str, str | None]:
        """The filters as plain values, for audit events and export metadata."""
        return {k: self.params().get(k) for k in ("since", "until", "country", "region", "municipality", "course",
                                                   "cohort")}


def _parse_date(raw: str | None, label: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise StatsError(_("The %(field)s “%(value)s” is not a date (YYYY-MM-DD).", field=label, value=raw[:20]))


def parse_filters(args: Mapping[str, Any]) -> Filters:
    """Read filters from URL arguments or CLI options; unknown codes raise StatsError (translated)."""
    since = _parse_date(args.get("since"), _("start date"))
    until = _parse_date(args.get("until"), _("end date"))
    if since and until and since > until:
        raise StatsError(_("The start date is after the end date."))
    country = region = municipality = course = cohort = None
    if args.get("municipality"):
        code = str(args["municipality"]).strip().upper()
        municipality = db.session.scalar(select(Municipality).where(Municipality.code == code))
        if municipality is None:
            raise StatsError(_("Unknown municipality “%(code)s”.", code=code[:40]))
        region = municipality.region
        country = region.country
    if args.get("region"):
        code = str(args["region"]).strip().upper()
        found = db.session.scalar(select(Region).where(Region.code == code))
        if found is None or (region is not None and found.id != region.id):
            raise StatsError(_("Unknown region “%(code)s”.", code=code[:20]))
        region, country = found, found.country
    if args.get("country"):
        code = str(args["country"]).strip().upper()
        found = db.session.get(Country, code) if len(code) == 2 else None
        if found is None or (country is not None and found.code != country.code):
            raise StatsError(_("Unknown country “%(code)s”.", code=code[:10]))
        country = found
    if args.get("course"):
        key = str(args["course"]).strip()
        course = db.session.scalar(select(Course).where(Course.key == key))
        if course is None:
            raise StatsError(_("Unknown course “%(key)s”.", key=key[:64]))
    if args.get("cohort"):
        raw = str(args["cohort"]).strip()
        cohort = db.session.get(Cohort, int(raw)) if raw.isdigit() else None
        if cohort is None:
            raise StatsError(_("Unknown cohort “%(id)s”.", id=raw[:20]))
    return Filters(since, until, country, region, municipality, course, cohort)


def may_see(actor: Any, filters: Filters) -> bool:
    """May ``actor`` see statistics under these filters (the place's and the cohort's country in scope)?"""
    if not can(actor, "stats.view"):
        return False
    for code in (filters.country_code, filters.cohort.country_code if filters.cohort else None):
        if code and not can(actor, "stats.view", code):
            return False
    return True


def level_for(filters: Filters) -> str:
    """The place level a dashboard shows: the level below the most precise place filter."""
    if filters.region or filters.municipality:
        return "municipality"
    if filters.country:
        return "region"
    return "country"


# --- SQL building blocks ---------------------------------------------------------------------------

def _dialect() -> str:
    return db.session.get_bind().dialect.name


def place_country() -> ColumnElement:
    """The country of an enrolment: its municipality's, else the course variant's."""
    return func.coalesce(Region.country_code, Enrolment.country_code)


def _keys(group: str) -> list[ColumnElement]:
    if group == "country":
        return [func.coalesce(place_country(), "")]
    if group == "region":
        return [func.coalesce(Region.id, 0)]
    if group == "municipality":
        return [func.coalesce(Enrolment.municipality_id, 0)]
    if group == "course":
        return [Enrolment.course_id, func.coalesce(Enrolment.country_code, "")]
    if group in BREAKDOWNS:
        return [func.coalesce(getattr(User, group), "")]
    if group == "total":
        return [literal("all")]
    if group == "course_id":  # a prefix key (statistics snapshots): the course, whatever the variant
        return [Enrolment.course_id]
    raise ValueError(f"unknown group {group!r}")


def scoped(actor: Any, filters: Filters, keys: list[ColumnElement], *, period: bool,
           labels: list[str] | None = None, with_user: bool = True) -> Select:
    """Enrolments ``actor`` may see under ``filters`` (enrolled in the period when ``period``), with keys (labelled
    k0, k1 … unless ``labels`` are given). Without ``with_user`` the learners' table is left out of the join (every
    enrolment has its learner, so the rows are the same): for keys that are not the learner's sex, age or
    profile."""
    labels = labels or [f"k{i}" for i in range(len(keys))]
    statement = (
        select(
            Enrolment.id.label("eid"),
            Enrolment.user_id.label("uid"),
            Enrolment.enrolled_at.label("enrolled_at"),
            Enrolment.completed_at.label("completed_at"),
            Enrolment.last_activity_at.label("last_activity_at"),
            *[key.label(label) for key, label in zip(keys, labels)],
        )
        .select_from(Enrolment)
        .outerjoin(Municipality, Municipality.id == Enrolment.municipality_id)
        .outerjoin(Region, Region.id == Municipality.region_id)
        .where(scope_clause(actor, place_country()))
    )
    if with_user:
        statement = statement.join(User, User.id == Enrolment.user_id)
    if filters.country:
        statement = statement.where(place_country() == filters.country.code)
    if filters.region:
        statement = statement.where(Municipality.region_id == filters.region.id)
    if filters.municipality:
        statement = statement.where(Enrolment.municipality_id == filters.municipality.id)
    if filters.course:
        statement = statement.where(Enrolment.course_id == filters.course.id)
    if filters.cohort:
        statement = statement.where(
            Enrolment.user_id.in_(select(CohortMember.user_id).where(CohortMember.cohort_id == filters.cohort.id))
        )
    if period and filters.start:
        statement = statement.where(Enrolment.enrolled_at >= filters.start)
    if period and filters.end:
        statement = statement.where(Enrolment.enrolled_at < filters.end)
    return statement


def days_between(start: Any, end: Any) -> ColumnElement:
    """Days (fractional) from ``start`` to ``end``, portable across SQLite and PostgreSQL."""
    if _dialect() == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)


def month_of(column: Any) -> ColumnElement:
    """'YYYY-MM' of a UTC timestamp."""
    if _dialect() == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def grouped_median(source: Any, n_keys: int, value: str = "v") -> Select:
    """Median of ``source.c[value]`` per group of ``source.c.k0 … k{n-1}``, computed in SQL.

    PostgreSQL: ``percentile_cont(0.5)``; elsewhere (SQLite): rank the values with window functions and average
    the middle one or two.
    """
    keys = [source.c[f"k{i}"] for i in range(n_keys)]
    column = source.c[value]
    if _dialect() == "postgresql":
        return (select(*keys, func.percentile_cont(0.5).within_group(column).label("median"))
                .where(column.is_not(None)).group_by(*keys))
    ranked = (
        select(*keys, column.label("v"),
               func.row_number().over(partition_by=keys, order_by=column).label("rn"),
               func.count().over(partition_by=keys).label("n"))
        .where(column.is_not(None))
        .subquery("ranked")
    )
    rkeys = [ranked.c[f"k{i}"] for i in range(n_keys)]
    return (select(*rkeys, func.avg(ranked.c.v).label("median"))
            .where(ranked.c.rn.between((ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2))
            .group_by(*rkeys))


def _history_scores(end: datetime) -> Any:
    """Per enrolment: the mean of its best submitted score in each quiz, from the attempts submitted before ``end``
    (the summary column ``Enrolment.quiz_score`` holds the same figure as of now)."""
    best = (
        select(QuizAttempt.enrolment_id.label("eid"), func.max(QuizAttempt.score).label("best"))
        .where(QuizAttempt.submitted_at.is_not(None), QuizAttempt.is_practice.is_(False),
               QuizAttempt.score.is_not(None), QuizAttempt.submitted_at < end)
        .group_by(QuizAttempt.enrolment_id, QuizAttempt.activity_path)
        .subquery("best")
    )
    return select(best.c.eid, func.avg(best.c.best).label("score")).group_by(best.c.eid).subquery("history")


def _started(end: datetime | None) -> ColumnElement[bool]:
    """Started (an activity opened, or completed) by the period's end."""
    started = func.coalesce(Enrolment.started_at, Enrolment.completed_at)
    return and_(started.is_not(None), *([started < end] if end else []))


def _materialized(statement: Select, name: str) -> Any:
    """A CTE computed once, however many times the statement refers to it (SQLite ≥ 3.35 and PostgreSQL)."""
    return statement.cte(name).prefix_with("MATERIALIZED")


# --- figures -------------------------------------------------------------------------------------

@dataclass
class Row:
    key: tuple
    label: str = ""
    code: str | None = None  #: place code, course key …: what drill-down links and exports use
    enrolled: int = 0
    started: int = 0
    completed: int = 0
    scored: int = 0  #: learners with a submitted quiz (the base of the score figures)
    avg_score: float | None = None
    median_score: float | None = None
    median_days: float | None = None
    active: int = 0
    hidden: set[str] = field(default_factory=set)  #: figures withheld by small-cell suppression
    extra: dict[str, Any] = field(default_factory=dict)  #: labels of the parent places, for exports

    @property
    def completion_rate(self) -> float | None:
        return round(100.0 * self.completed / self.enrolled, 1) if self.enrolled else None

    @property
    def not_started(self) -> int:
        return self.enrolled - self.started

    @property
    def in_progress(self) -> int:
        return self.started - self.completed

    def value(self, name: str) -> Any:
        """A figure, or None when it is withheld."""
        return None if name in self.hidden else getattr(self, name)


@dataclass
class Table:
    group: str
    rows: list[Row]
    total: Row
    is_suppressed: bool = False
    k: int = 5
    #: when the figures come from a statistics snapshot: when it was computed (None: computed now)
    as_of: datetime | None = None


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


def _needs_history(filters: Filters) -> bool:
    """Does the period end before now? Then scores and activity are read back from the attempts and events as they
    stood at its end; otherwise the per-enrolment summary (kept by the learner pages) answers."""
    return filters.end is not None and filters.end <= datetime.now(UTC)


def _enrolment_facts(actor: Any, filters: Filters, groups: list[str],
                     prefix: tuple[str, ...] = ()) -> tuple[Any, dict[str, list[str]]]:
    """One row per enrolment in scope (enrolled at any time): the keys of every group (and of the ``prefix``
    groups, under ``names["prefix"]``) and the facts the figures count — enrolled in the period, started and
    completed by its end, quiz score, active in the period."""
    names: dict[str, list[str]] = {"prefix": []}
    keys: list[ColumnElement] = []
    for i, group in enumerate(prefix):
        names["prefix"].append(f"p{i}_{group}")
        keys += _keys(group)
    for group in groups:
        group_keys = _keys(group) if group != "total" else []
        names[group] = [f"{group}_k{i}" for i in range(len(group_keys))]
        keys += group_keys
    base = scoped(actor, filters, keys, period=False,
                  labels=names["prefix"] + [name for group in groups for name in names[group]],
                  with_user=any(group in BREAKDOWNS for group in groups))
    start, end = filters.start, filters.end
    in_period = and_(true(), *([Enrolment.enrolled_at >= start] if start else []),
                     *([Enrolment.enrolled_at < end] if end else []))
    is_started = _started(end)
    is_completed = and_(Enrolment.completed_at.is_not(None), *([Enrolment.completed_at < end] if end else []))
    if _needs_history(filters):
        in_events = select(LearningEvent.enrolment_id).where(LearningEvent.created_at < end)
        if start:
            in_events = in_events.where(LearningEvent.created_at >= start)
        is_active = Enrolment.id.in_(in_events)
        history = _history_scores(end)
        base = base.outerjoin(history, history.c.eid == Enrolment.id)
        score = history.c.score
    else:
        is_active = (Enrolment.last_activity_at >= start) if start else Enrolment.last_activity_at.is_not(None)
        score = Enrolment.quiz_score
    facts = base.add_columns(
        case((in_period, 1), else_=0).label("in_period"),
        case((and_(in_period, is_started), 1), else_=0).label("is_started"),
        case((and_(in_period, is_completed), 1), else_=0).label("is_completed"),
        case((in_period, score)).label("score"),
        case((and_(in_period, is_completed), days_between(Enrolment.enrolled_at, Enrolment.completed_at)))
        .label("days"),
        case((is_active, Enrolment.user_id)).label("active_uid"),
    )
    if _dialect() == "postgresql":
        # read once by a single GROUPING SETS statement: let the planner stream it; JIT compilation costs more
        # than it saves on a few hundred thousand rows
        db.session.execute(text("SET LOCAL jit = off"))
        return facts.subquery("facts"), names
    return _materialized(facts, "facts"), names


def _aggregates(f: Any) -> list[ColumnElement]:
    return [func.sum(f.c.in_period).label("enrolled"), func.sum(f.c.is_started).label("started"),
            func.sum(f.c.is_completed).label("completed"), func.count(f.c.score).label("scored"),
            func.avg(f.c.score).label("avg_score"), func.count(func.distinct(f.c.active_uid)).label("active")]


def _row(key: tuple, r: Any) -> Row:
    return Row(key, enrolled=int(r.enrolled or 0), started=int(r.started or 0), completed=int(r.completed or 0),
               scored=r.scored, avg_score=_round(r.avg_score), median_score=_round(r.median_score),
               median_days=_round(r.median_days), active=r.active)


def figures_by(actor: Any, filters: Filters, groups: list[str],
               prefix: tuple[str, ...] = ()) -> dict[str, list[Row]]:
    """One Row per value of each group (a table's rows), from one pass over the enrolments in scope.

    PostgreSQL computes every group in one statement (GROUPING SETS, medians by ``percentile_cont``); SQLite, which
    has no grouping sets, runs one statement per group. Groups with no enrolment in the period and no active
    learner have no row. With ``prefix`` (place or course keys, for statistics snapshots), every group is computed
    within each value of the prefix keys, whose values start each row's key.
    """
    f, names = _enrolment_facts(actor, filters, groups, prefix)
    found: dict[str, list[Row]] = {group: [] for group in groups}
    head = [f.c[name] for name in names["prefix"]]
    if _dialect() == "postgresql":
        columns = head + [f.c[name] for group in groups for name in names[group]]
        sets = [tuple_(*head, *[f.c[name] for name in names[group]]) for group in groups]
        statement = select(
            *columns, *_aggregates(f),
            func.percentile_cont(0.5).within_group(f.c.score).label("median_score"),
            func.percentile_cont(0.5).within_group(f.c.days).label("median_days"),
            (func.grouping(*columns) if columns else literal(0)).label("grouping_id"),
        ).group_by(func.grouping_sets(*sets))
        width = len(columns)
        position, masks = len(head), {}
        for group in groups:
            grouped = set(range(len(head))) | set(range(position, position + len(names[group])))
            masks[sum(1 << (width - 1 - i) for i in range(width) if i not in grouped)] = (group, position)
            position += len(names[group])
        for r in db.session.execute(statement):
            group, first = masks[r.grouping_id]
            key = tuple(r[:len(head)]) + (tuple(r[first:first + len(names[group])]) or ("all",))
            found[group].append(_row(key, r))
    else:
        for group in groups:
            columns = head + [f.c[name] for name in names[group]]
            k = [column.label(f"k{i}") for i, column in enumerate(columns)]
            main = select(*k, *_aggregates(f)).group_by(*columns).subquery("main")
            n, own = len(k), len(names[group])
            medians = []
            for value in ("score", "days"):
                source = select(*k, f.c[value].label("v")).subquery(f"{value}_values")
                medians.append(grouped_median(source, n).subquery(f"median_{value}"))
            mk = [main.c[f"k{i}"] for i in range(n)]
            statement = (
                select(*mk, main.c.enrolled, main.c.started, main.c.completed, main.c.scored, main.c.avg_score,
                       main.c.active, medians[0].c.median.label("median_score"),
                       medians[1].c.median.label("median_days"))
                .select_from(main)
            )
            for median in medians:
                statement = statement.outerjoin(median, and_(true(), *[median.c[f"k{i}"] == mk[i] for i in range(n)]))
            for r in db.session.execute(statement):
                key = tuple(r[:n - own]) + (tuple(r[n - own:n]) or ("all",))
                found[group].append(_row(key, r))
    for group in groups:
        found[group] = [row for row in found[group] if row.enrolled or row.active]
    return found


def figures(actor: Any, filters: Filters, group: str) -> list[Row]:
    """One Row per value of ``group``."""
    return figures_by(actor, filters, [group])[group]


def completions_by_month(actor: Any, filters: Filters) -> list[tuple[str, int]]:
    """Completions per month (by completion date) over the period; a year back from its end by default."""
    s = scoped(actor, filters, [], period=False, with_user=False).subquery("in_scope")
    end = filters.end or datetime.combine(date.today() + timedelta(days=1), time(), UTC)
    start = filters.start or datetime(end.year - 1, end.month, 1, tzinfo=UTC)
    month = month_of(s.c.completed_at)
    statement = (select(month.label("month"), func.count().label("n"))
                 .where(s.c.completed_at >= start, s.c.completed_at < end)
                 .group_by(month).order_by(month))
    return month_series({r.month: r.n for r in db.session.execute(statement)}, end, start)


def month_series(counts: Mapping[str, int], end: datetime, start: datetime | None) -> list[tuple[str, int]]:
    """(YYYY-MM, count) for every month from ``start`` (a year back from ``end`` by default) to ``end``
    (exclusive)."""
    start = start or datetime(end.year - 1, end.month, 1, tzinfo=UTC)
    months, cursor = [], date(start.year, start.month, 1)
    last = (end - timedelta(microseconds=1)).date()
    while cursor <= last:
        label = f"{cursor.year:04d}-{cursor.month:02d}"
        months.append((label, counts.get(label, 0)))
        cursor = date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)
    return months


# --- labels --------------------------------------------------------------------------------------

def _course_titles(course_ids: set[int], lang: str) -> dict[int, tuple[str, str]]:
    """course id → (key, title in ``lang``) from the current base version (one statement)."""
    if not course_ids:
        return {}
    statement = (
        select(Course.id, Course.key, CourseVersion.title)
        .outerjoin(CourseVersion, and_(CourseVersion.course_id == Course.id, CourseVersion.country_code.is_(None),
                                       CourseVersion.is_current.is_(True)))
        .where(Course.id.in_(course_ids))
    )
    result = {}
    for cid, key, title in db.session.execute(statement):
        title = title or {}
        result[cid] = (key, title.get(lang) or title.get("fr") or next(iter(title.values()), key))
    return result


def label_rows(rows: list[Row], group: str, lang: str) -> list[Row]:
    """Fill labels and codes (a constant number of statements) and sort the rows for display."""
    unknown = str(_("Not known"))
    if group == "country":
        codes = {r.key[0] for r in rows if r.key[0]}
        countries = {c.code: c for c in db.session.scalars(select(Country).where(Country.code.in_(codes)))}
        for r in rows:
            c = countries.get(r.key[0])
            r.code, r.label = (c.code, c.name(lang)) if c else (None, unknown)
            r.extra = {"country_code": r.code, "country": r.label}
        order = {c.code: (c.position, c.code) for c in countries.values()}
        rows.sort(key=lambda r: order.get(r.key[0], (999, "")))
    elif group == "region":
        ids = {r.key[0] for r in rows if r.key[0]}
        regions = {x.id: x for x in db.session.scalars(select(Region).where(Region.id.in_(ids)))}
        for r in rows:
            x = regions.get(r.key[0])
            r.code, r.label = (x.code, x.name(lang)) if x else (None, unknown)
            r.extra = {"country_code": x.country_code if x else None, "region_code": r.code, "region": r.label}
        rows.sort(key=lambda r: (r.code is None, r.label))
    elif group == "municipality":
        ids = {r.key[0] for r in rows if r.key[0]}
        statement = (select(Municipality, Region).join(Region, Region.id == Municipality.region_id)
                     .where(Municipality.id.in_(ids)))
        places = {m.id: (m, reg) for m, reg in db.session.execute(statement)}
        for r in rows:
            m, reg = places.get(r.key[0], (None, None))
            r.code, r.label = (m.code, m.name(lang)) if m else (None, unknown)
            r.extra = {"country_code": reg.country_code if reg else None, "region_code": reg.code if reg else None,
                       "region": reg.name(lang) if reg else None, "municipality_code": r.code,
                       "municipality": r.label}
        rows.sort(key=lambda r: (r.code is None, r.label))
    elif group == "course":
        titles = _course_titles({r.key[0] for r in rows}, lang)
        codes = {r.key[1] for r in rows if r.key[1]}
        countries = {c.code: c.name(lang) for c in db.session.scalars(select(Country).where(Country.code.in_(codes)))}
        for r in rows:
            key, title = titles.get(r.key[0], (str(r.key[0]), str(r.key[0])))
            variant = countries.get(r.key[1], r.key[1]) if r.key[1] else str(_("base course"))
            r.code, r.label = key, f"{title} ({variant})"
            r.extra = {"course": key, "variant": r.key[1] or ""}
        rows.sort(key=lambda r: (r.code or "", r.key[1]))
    elif group in BREAKDOWNS:
        choices = BREAKDOWNS[group][1]
        order = {value: i for i, (value, _label) in enumerate(choices)}
        labels = {value: str(label) for value, label in choices}
        for r in rows:
            r.code = r.key[0] or ""
            r.label = labels.get(r.key[0], r.key[0])
            r.extra = {group: r.code}
        rows.sort(key=lambda r: order.get(r.key[0], 99))
    return rows


# --- suppression ---------------------------------------------------------------------------------

def apply_suppression(table: Table, k: int) -> Table:
    """Withhold small counts (primary and secondary) and the figures derived from them, in place."""
    rows, total = table.rows, table.total
    mask = suppression.suppress(
        [[r.not_started, r.in_progress, r.completed] for r in rows], k,
        row_totals=[r.enrolled for r in rows],
        col_totals=[total.not_started, total.in_progress, total.completed],
        grand_total=total.enrolled,
    )
    active_mask, active_total = suppression.suppress_series([r.active for r in rows], k, total.active)
    lines = [(r, mask.cells[i], mask.row_totals[i], active_mask[i]) for i, r in enumerate(rows)]
    lines.append((total, mask.col_totals, mask.grand_total, active_total))
    for row, (not_started, in_progress, completed), enrolled, active in lines:
        hidden = row.hidden
        if enrolled:
            hidden.add("enrolled")
        if enrolled or not_started or in_progress != completed:
            hidden.add("started")
        if completed:
            hidden.add("completed")
        if active:
            hidden.add("active")
        if "enrolled" in hidden or "completed" in hidden:
            hidden.add("completion_rate")
        if row.scored < k:
            hidden.update(("avg_score", "median_score"))
        if "completed" in hidden or row.completed < k:
            hidden.add("median_days")
    table.is_suppressed = True
    table.k = k
    return table


def _total(rows: list[Row]) -> Row:
    total = rows[0] if rows else Row(("all",))
    total.label = str(_("Total"))
    return total


def total_row(actor: Any, filters: Filters) -> Row:
    """The figures of every enrolment in scope under ``filters`` (the total row of every table)."""
    return _total(figures(actor, filters, "total"))


def tables(actor: Any, filters: Filters, groups: list[str], lang: str, *, suppress: bool = True,
           k: int | None = None, use_snapshot: bool = True,
           part: snapshot.Snapshot | None = None) -> dict[str, Table]:
    """Labelled tables with their total row, suppressed unless ``suppress`` is False: read from the latest
    statistics snapshot when the view has one (``snapshot.py``), else from one pass over the enrolments."""
    k = k or min_cell()
    if part is None and use_snapshot:
        part = snapshot.lookup(actor, filters)
    found = part.figures([*groups, "total"]) if part else figures_by(actor, filters, [*groups, "total"])
    total = _total(found["total"])
    result = {}
    for group in groups:
        one = Table(group, label_rows(found[group], group, lang), replace(total, hidden=set()), k=k,
                    as_of=part.computed_at if part else None)
        result[group] = apply_suppression(one, k) if suppress else one
    return result


def table(actor: Any, filters: Filters, group: str, lang: str, *, suppress: bool = True,
          k: int | None = None, use_snapshot: bool = True) -> Table:
    """A labelled table with its total row, suppressed unless ``suppress`` is False."""
    return tables(actor, filters, [group], lang, suppress=suppress, k=k, use_snapshot=use_snapshot)[group]


def suppression_applies(actor: Any, raw_requested: bool) -> bool:
    """Suppression is on for everyone, and only learner-level holders may turn it off."""
    return not (raw_requested and can(actor, "stats.learner_level"))


# --- the dashboard -------------------------------------------------------------------------------

@dataclass
class Month:
    month: str
    count: int
    hidden: bool


@dataclass
class Dashboard:
    filters: Filters
    level: str
    places: Table
    courses: Table
    breakdowns: dict[str, Table]
    months: list[Month]
    months_total: int | None
    is_suppressed: bool
    k: int
    as_of: datetime | None = None  #: see Table.as_of


def dashboard(actor: Any, filters: Filters, lang: str, *, suppress: bool = True,
              use_snapshot: bool = True) -> Dashboard:
    """Every table and series a dashboard page shows (a constant number of statements)."""
    k = min_cell()
    level = level_for(filters)
    part = snapshot.lookup(actor, filters) if use_snapshot else None
    found = tables(actor, filters, [level, "course", *BREAKDOWNS], lang, suppress=suppress, k=k,
                   use_snapshot=False, part=part)
    places, courses = found[level], found["course"]
    breakdowns = {group: found[group] for group in BREAKDOWNS}
    series = part.months() if part else completions_by_month(actor, filters)
    total = sum(n for _m, n in series)
    if suppress:
        hidden, total_hidden = suppression.suppress_series([n for _m, n in series], k, total)
    else:
        hidden, total_hidden = [False] * len(series), False
    months = [Month(m, n, h) for (m, n), h in zip(series, hidden)]
    return Dashboard(filters, level, places, courses, breakdowns, months, None if total_hidden else total,
                     suppress, k, places.as_of)


def breadcrumbs(filters: Filters, lang: str) -> list[tuple[str, dict[str, str]]]:
    """(label, URL arguments) from all countries down to the current place."""
    base = filters.params(country=None, region=None, municipality=None)
    crumbs = [(str(_("All countries")), base)]
    if filters.country:
        crumbs.append((filters.country.name(lang), {**base, "country": filters.country.code}))
    if filters.region:
        crumbs.append((filters.region.name(lang), {**crumbs[-1][1], "region": filters.region.code}))
    if filters.municipality:
        crumbs.append((filters.municipality.name(lang), {**crumbs[-1][1],
                                                         "municipality": filters.municipality.code}))
    return crumbs


def drill_params(filters: Filters, level: str, row: Row) -> dict[str, str] | None:
    """URL arguments one level down from a place row, or None when there is nothing below."""
    if not row.code:
        return None
    if level == "country":
        return filters.params(country=row.code)
    if level == "region":
        return filters.params(region=row.code)
    if level == "municipality" and not filters.municipality:
        return filters.params(municipality=row.code)
    return None


def with_filters(filters: Filters, **changes: Any) -> Filters:
    return replace(filters, **changes)


# --- learner level -------------------------------------------------------------------------------

def pseudonym(user_id: int, secret: str | None = None) -> str:
    """A stable pseudonymous learner id: HMAC-SHA256 of the user id with SECRET_KEY (20 hex digits)."""
    key = (secret or current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"user:{user_id}".encode(), sha256).hexdigest()[:20]


LEARNER_COLUMNS = ("learner", "country_code", "region_code", "municipality_code", "course", "variant", "sex",
                   "age_band", "profile", "enrolled_on", "started", "completed_on", "best_score")
NAME_COLUMNS = ("name", "email")


def learner_statement(actor: Any, filters: Filters) -> Select:
    keys = [place_country(), Region.code, Municipality.code, Course.key, Enrolment.country_code, User.sex,
            User.age_band, User.profile, User.name, User.email]
    statement = scoped(actor, filters, keys, period=True).join(Course, Course.id == Enrolment.course_id)
    if _needs_history(filters):
        history = _history_scores(filters.end)
        statement, score = statement.outerjoin(history, history.c.eid == Enrolment.id), history.c.score
    else:
        score = Enrolment.quiz_score
    return statement.add_columns(score.label("score"), case((_started(filters.end), 1), else_=0).label("is_started")
                                 ).order_by(Enrolment.id)


def count_learner_rows(actor: Any, filters: Filters) -> int:
    s = scoped(actor, filters, [], period=True, with_user=False).subquery()
    return db.session.scalar(select(func.count()).select_from(s)) or 0


def learner_rows(actor: Any, filters: Filters, *, names: bool = False) -> Iterator[dict[str, Any]]:
    """One dict per enrolment, streamed from a server-side cursor (PostgreSQL) in batches.

    The statement is built now, from the actor's scope and the filters; only its rows are read as the response
    streams, when the request's database session (and the objects loaded in it) may be gone."""
    secret = current_app.config["SECRET_KEY"]
    statement = learner_statement(actor, filters).execution_options(stream_results=True, yield_per=1000)
    return _learner_records(statement, secret, filters.end, names)


def _learner_records(statement: Select, secret: str, end: datetime | None, names: bool) -> Iterator[dict[str, Any]]:
    for r in db.session.execute(statement):
        completed = r.completed_at if r.completed_at and (end is None or r.completed_at < end) else None
        row = {
            "learner": pseudonym(r.uid, secret), "country_code": r.k0, "region_code": r.k1,
            "municipality_code": r.k2, "course": r.k3, "variant": r.k4 or "", "sex": r.k5 or "",
            "age_band": r.k6 or "", "profile": r.k7 or "", "enrolled_on": r.enrolled_at.date().isoformat(),
            "started": bool(r.is_started), "completed_on": completed.date().isoformat() if completed else None,
            "best_score": _round(r.score),
        }
        if names:
            row.update(name=r.k8, email=r.k9)
        yield row
