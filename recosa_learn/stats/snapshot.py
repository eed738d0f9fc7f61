"""Statistics snapshots: every dashboard view without a period, computed in bulk, read in one statement.

Exact medians and distinct active learners cannot be added up from smaller groups, so on a large platform each
dashboard view costs a pass over every enrolment in scope (about 0.7 s for 145,000 enrolments on two cores).
``flask stats refresh`` (run by cron every few minutes) computes, with the same SQL as a live view
(``services.figures_by``), the tables of every place of the tree — all countries, each country, region and
municipality — for all courses and for each course: a few statements over the whole platform. Views without a
period and without a cohort are then read from the latest snapshot while it is younger than
``STATS_SNAPSHOT_MAX_AGE`` seconds (the page says as of when); anything else — a period, a cohort, an older or no
snapshot, a scope of several but not all countries — is computed live. Both give the same figures for the same
data (tested).

Place tables come from the totals of the places one level down, so each place is stored once per course.
"""
from __future__ import annotations

import time as clock
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, delete, func, insert, or_, select

from ..extensions import db
from . import services
from .models import StatsSnapshot, StatsSnapshotRow

PLACE_LEVELS = ("root", "country", "region", "municipality")
#: the prefix keys of each node level (its ancestors and itself)
PREFIXES = {"root": (), "country": ("country",), "region": ("country", "region"),
            "municipality": ("country", "region", "municipality")}
#: the tables each node stores (place tables are read from the nodes one level down)
NODE_GROUPS = ("course", "sex", "age_band", "profile", "total")
FIGURES = ("enrolled", "started", "completed", "scored", "active", "avg_score", "median_score", "median_days")


def _everyone() -> Any:
    """Snapshots hold every place; each view then reads only the part its reader may see."""
    from .cli import CliActor  # here, not at the top: cli imports services, which imports this module

    return CliActor()


def max_age(app: Any = None) -> int:
    return int((app or current_app).config.get("STATS_SNAPSHOT_MAX_AGE", 900))


# --- computing -----------------------------------------------------------------------------------

def _node(level: str, prefix_values: tuple) -> dict[str, Any]:
    values = dict(zip(PREFIXES[level], prefix_values))
    return {"node_level": level, "node_country": values.get("country") or "",
            "node_region": values.get("region") or 0, "node_municipality": values.get("municipality") or 0}


def _figures(row: services.Row) -> dict[str, Any]:
    return {name: getattr(row, name) for name in FIGURES}


def _months(level: str, by_course: bool) -> list[dict[str, Any]]:
    """Completions per month of every node of ``level`` (the dashboard's monthly series)."""
    prefix = PREFIXES[level] + (("course_id",) if by_course else ())
    keys = [key for group in prefix for key in services._keys(group)]
    labels = [f"p{i}" for i in range(len(keys))]
    s = services.scoped(_everyone(), services.Filters(), keys, period=False, labels=labels,
                        with_user=False).subquery("in_scope")
    month = services.month_of(s.c.completed_at)
    statement = (select(*[s.c[label] for label in labels], month.label("month"), func.count().label("n"))
                 .where(s.c.completed_at.is_not(None))
                 .group_by(*[s.c[label] for label in labels], month))
    rows = []
    for r in db.session.execute(statement):
        values = tuple(r[:len(labels)])
        node_values, course_id = (values[:-1], values[-1]) if by_course else (values, 0)
        rows.append({**_node(level, node_values), "course_id": course_id, "grp": "month", "k0": r.month, "k1": "",
                     **dict.fromkeys(FIGURES), "enrolled": 0, "started": 0, "scored": 0, "active": 0,
                     "completed": r.n})
    return rows


def refresh(progress: Callable[[int], None] | None = None) -> StatsSnapshot:
    """Compute a new snapshot (one transaction), then drop the older ones. ``progress`` is called after each of
    the ``len(PLACE_LEVELS) * 2`` steps."""
    started = clock.perf_counter()
    snapshot = StatsSnapshot(computed_at=datetime.now(UTC))
    db.session.add(snapshot)
    db.session.flush()
    total = 0
    for level in PLACE_LEVELS:
        for by_course in (False, True):
            prefix = PREFIXES[level] + (("course_id",) if by_course else ())
            found = services.figures_by(_everyone(), services.Filters(), list(NODE_GROUPS), prefix=prefix)
            rows = []
            width = len(prefix)
            for group, group_rows in found.items():
                for row in group_rows:
                    values, own = row.key[:width], row.key[width:]
                    node_values, course_id = (values[:-1], values[-1]) if by_course else (values, 0)
                    rows.append({**_node(level, node_values), "course_id": course_id, "grp": group,
                                 "k0": "" if own[0] is None else str(own[0]),
                                 "k1": str(own[1]) if len(own) > 1 and own[1] is not None else "",
                                 **_figures(row)})
            rows += _months(level, by_course)
            for row in rows:
                row["snapshot_id"] = snapshot.id
            for first in range(0, len(rows), 5000):
                db.session.execute(insert(StatsSnapshotRow.__table__), rows[first:first + 5000])
            total += len(rows)
            if progress:
                progress(1)
    snapshot.row_count = total
    snapshot.seconds = round(clock.perf_counter() - started, 3)
    db.session.execute(delete(StatsSnapshot).where(StatsSnapshot.id != snapshot.id))
    db.session.execute(delete(StatsSnapshotRow).where(StatsSnapshotRow.snapshot_id != snapshot.id))
    db.session.commit()
    return snapshot


# --- reading -------------------------------------------------------------------------------------

def current(now: datetime | None = None) -> StatsSnapshot | None:
    """The latest snapshot if younger than ``STATS_SNAPSHOT_MAX_AGE`` seconds (0 turns snapshots off)."""
    age = max_age()
    if age <= 0:
        return None
    latest = db.session.scalar(select(StatsSnapshot).order_by(StatsSnapshot.computed_at.desc()).limit(1))
    if latest is None:
        return None
    computed = latest.computed_at if latest.computed_at.tzinfo else latest.computed_at.replace(tzinfo=UTC)
    return latest if computed >= (now or datetime.now(UTC)) - timedelta(seconds=age) else None


def _node_of(actor: Any, filters: services.Filters) -> tuple[str, str, int, int] | None:
    """The node a view reads, or None when the view must be computed live."""
    if filters.since or filters.until or filters.cohort:
        return None
    countries = services.stats_scope(actor)
    if filters.municipality:
        node = ("municipality", filters.country.code, filters.region.id, filters.municipality.id)
    elif filters.region:
        node = ("region", filters.country.code, filters.region.id, 0)
    elif filters.country:
        node = ("country", filters.country.code, 0, 0)
    elif countries.is_all:
        node = ("root", "", 0, 0)
    elif len(countries) == 1:  # a country coordinator's "all countries" is their country
        node = ("country", next(iter(countries)), 0, 0)
    else:
        return None
    if node[0] != "root" and not countries.covers(node[1]):
        return None
    return node


class Snapshot:
    """What one view reads from a snapshot: the node's own tables and the totals of the places below it."""

    def __init__(self, snapshot: StatsSnapshot, node: tuple[str, str, int, int], course_id: int) -> None:
        self.snapshot, self.node, self.course_id = snapshot, node, course_id
        self._rows: list[StatsSnapshotRow] | None = None

    @property
    def computed_at(self) -> datetime:
        at = self.snapshot.computed_at
        return at if at.tzinfo else at.replace(tzinfo=UTC)

    def rows(self) -> list[StatsSnapshotRow]:
        """Every row the view may need, in one statement: the node's own rows and the totals of its descendants."""
        if self._rows is None:
            level, country, region, municipality = self.node
            depth = PLACE_LEVELS.index(level)
            R = StatsSnapshotRow
            under = [R.node_level.in_(PLACE_LEVELS[depth + 1:]), R.grp == "total"]
            if depth >= 1:
                under.append(R.node_country == country)
            if depth >= 2:
                under.append(R.node_region == region)
            own = [R.node_level == level, R.node_country == country, R.node_region == region,
                   R.node_municipality == municipality]
            statement = select(R).where(R.snapshot_id == self.snapshot.id, R.course_id == self.course_id,
                                        or_(and_(*own), and_(*under)) if depth < 3 else and_(*own))
            self._rows = list(db.session.scalars(statement))
        return self._rows

    def _own(self, group: str) -> list[StatsSnapshotRow]:
        level = self.node[0]
        return [r for r in self.rows() if r.node_level == level and r.grp == group]

    def figures(self, groups: list[str]) -> dict[str, list[services.Row]]:
        level, country, region, municipality = self.node
        depth = PLACE_LEVELS.index(level)
        found: dict[str, list[services.Row]] = {}
        for group in groups:
            if group in services.LEVELS:
                group_depth = PLACE_LEVELS.index(group)
                if group_depth <= depth:  # the node itself, keyed by its place at that level
                    key = {"country": country, "region": region, "municipality": municipality}[group]
                    found[group] = [_row((key,), r) for r in self._own("total")]
                else:
                    attribute = {"country": "node_country", "region": "node_region",
                                 "municipality": "node_municipality"}[group]
                    found[group] = [_row((getattr(r, attribute),), r) for r in self.rows()
                                    if r.node_level == group and r.grp == "total"]
            elif group == "course":
                found[group] = [_row((int(r.k0), r.k1), r) for r in self._own(group)]
            elif group == "total":
                found[group] = [_row(("all",), r) for r in self._own(group)]
            else:
                found[group] = [_row((r.k0,), r) for r in self._own(group)]
        return found

    def months(self, today: date | None = None) -> list[tuple[str, int]]:
        """The dashboard's default series: completions per month over the year to this month."""
        counts = {r.k0: r.completed for r in self._own("month")}
        end = datetime.combine((today or date.today()) + timedelta(days=1), time(), UTC)
        return services.month_series(counts, end, None)


def _row(key: tuple, r: StatsSnapshotRow) -> services.Row:
    return services.Row(key, enrolled=r.enrolled, started=r.started, completed=r.completed, scored=r.scored,
                        avg_score=r.avg_score, median_score=r.median_score, median_days=r.median_days,
                        active=r.active)


def lookup(actor: Any, filters: services.Filters) -> Snapshot | None:
    """The snapshot part a view may read, or None when it must be computed live."""
    node = _node_of(actor, filters)
    if node is None:
        return None
    latest = current()
    if latest is None:
        return None
    return Snapshot(latest, node, filters.course.id if filters.course else 0)


