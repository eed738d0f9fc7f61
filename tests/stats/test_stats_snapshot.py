"""Statistics snapshots: every view read from a snapshot gives the figures the same view computes live."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

VIEWS = [{}, {"country": "MA"}, {"country": "SN"}, {"region": "MA-02"}, {"region": "MA-04"},
         {"municipality": "MA-OUJDA"}, {"municipality": "SN-KAOLACK"}]


@pytest.fixture
def two_courses(stats_world, course_factory, learner_factory):
    """The stats world, plus a second course (with a Senegal variant) some of whose learners also follow the
    first one, so that distinct active learners differ from active enrolments."""
    from recosa_learn.extensions import db
    from recosa_learn.learn.models import Enrolment

    sport, sport_version = course_factory("sport-101")
    _sport, sport_sn = course_factory("sport-101", country="SN")
    learner_factory(sport, sport_version, town="MA-OUJDA", sex="female", completed_days=3, scores=(55,))
    learner_factory(sport, sport_version, town="MA-FES", sex="male", scores=(85,))
    learner_factory(sport, sport_sn, town="SN-KAOLACK", sex="female", completed_days=8, scores=(65,))
    # a learner of the first course also follows the second one
    first = stats_world["users"][0]
    db.session.add(Enrolment(user_id=first.id, course_id=sport.id, municipality_id=db.session.scalar(
        select(Enrolment.municipality_id).where(Enrolment.user_id == first.id)),
        enrolled_at=datetime(2025, 3, 2, tzinfo=UTC), last_activity_at=datetime(2025, 3, 4, tzinfo=UTC),
        started_at=datetime(2025, 3, 3, tzinfo=UTC), quiz_score=42.0))
    db.session.commit()
    return stats_world


def _flat(table):
    return [(r.key, r.label, r.enrolled, r.started, r.completed, r.scored, r.avg_score, r.median_score,
             r.median_days, r.active) for r in [*table.rows, table.total]]


def _views(make_user):
    from recosa_learn.stats import services

    admin = make_user("admin", None)
    for course in (None, "migration-101", "sport-101"):
        for view in VIEWS:
            yield admin, services.parse_filters({**view, **({"course": course} if course else {})})
    coordinator = make_user("coordinator", "MA")  # their "all countries" is Morocco
    for view in ({}, {"region": "MA-02"}):
        yield coordinator, services.parse_filters(view)


def test_every_view_reads_the_same_figures_from_the_snapshot(two_courses, make_user, app):
    from recosa_learn.stats import services, snapshot

    made = snapshot.refresh()
    assert made.row_count > 0
    checked = 0
    for actor, filters in _views(make_user):
        part = snapshot.lookup(actor, filters)
        assert part is not None, filters
        level = services.level_for(filters)
        groups = [level, "course", *services.BREAKDOWNS]
        live = services.tables(actor, filters, groups, "fr", suppress=False, use_snapshot=False)
        read = services.tables(actor, filters, groups, "fr", suppress=False)
        for group in groups:
            assert read[group].as_of is not None
            assert _flat(read[group]) == _flat(live[group]), (filters, group)
            checked += 1
        # the whole municipality table (the CLI's and the export's) at any place
        live = services.table(actor, filters, "municipality", "fr", suppress=False, use_snapshot=False)
        assert _flat(services.table(actor, filters, "municipality", "fr", suppress=False)) == _flat(live)
    assert checked == 5 * (3 * len(VIEWS) + 2)
    # suppressed tables too (they are computed from the same rows)
    admin = make_user("admin", None)
    everything = services.parse_filters({})
    live = services.dashboard(admin, everything, "fr", use_snapshot=False)
    read = services.dashboard(admin, everything, "fr")
    assert read.as_of is not None and live.as_of is None
    assert _flat(read.places) == _flat(live.places)
    assert [r.hidden for r in read.places.rows] == [r.hidden for r in live.places.rows]
    assert read.months == live.months


def test_completions_per_month_in_the_snapshot(two_courses, make_user):
    from recosa_learn.stats import services, snapshot

    snapshot.refresh()
    admin = make_user("admin", None)
    part = snapshot.lookup(admin, services.parse_filters({"country": "MA"}))
    stored = {r.k0: r.completed for r in part.rows() if r.grp == "month" and r.node_level == "country"}
    live = dict(services.completions_by_month(admin, services.parse_filters(
        {"country": "MA", "since": "2025-01-01", "until": "2025-12-31"})))
    assert stored == {month: n for month, n in live.items() if n}
    assert sum(stored.values()) == 5  # 4 of the first course in Morocco, 1 of the second


def test_views_with_dates_or_a_cohort_and_old_snapshots_are_computed_live(two_courses, make_user, app):
    from recosa_learn.extensions import db
    from recosa_learn.stats import services, snapshot
    from recosa_learn.stats.models import StatsSnapshot, StatsSnapshotRow

    admin = make_user("admin", None)
    assert snapshot.lookup(admin, services.parse_filters({})) is None  # none yet
    snapshot.refresh()
    first = snapshot.refresh()  # a new one replaces the older
    assert db.session.scalar(select(func.count()).select_from(StatsSnapshot)) == 1
    assert db.session.scalar(select(func.count(func.distinct(StatsSnapshotRow.snapshot_id)))) == 1
    assert snapshot.lookup(admin, services.parse_filters({})) is not None
    for view in ({"since": "2025-01-01"}, {"until": "2030-01-01"}):
        assert snapshot.lookup(admin, services.parse_filters(view)) is None
    # older than STATS_SNAPSHOT_MAX_AGE: live
    db.session.execute(update(StatsSnapshot).values(
        computed_at=datetime.now(UTC) - timedelta(seconds=app.config["STATS_SNAPSHOT_MAX_AGE"] + 5)))
    db.session.commit()
    assert snapshot.lookup(admin, services.parse_filters({})) is None
    assert services.dashboard(admin, services.parse_filters({}), "fr").as_of is None
    # turned off
    db.session.execute(update(StatsSnapshot).values(computed_at=datetime.now(UTC)))
    db.session.commit()
    app.config["STATS_SNAPSHOT_MAX_AGE"] = 0
    try:
        assert snapshot.lookup(admin, services.parse_filters({})) is None
    finally:
        app.config["STATS_SNAPSHOT_MAX_AGE"] = 900
    assert first.id


def test_a_coordinator_reads_only_their_country(two_courses, make_user):
    from recosa_learn.stats import services, snapshot

    snapshot.refresh()
    coordinator = make_user("coordinator", "SN")
    part = snapshot.lookup(coordinator, services.parse_filters({}))
    assert part.node[:2] == ("country", "SN")
    table = services.table(coordinator, services.parse_filters({}), "region", "fr", suppress=False)
    assert table.total.enrolled == 6  # 5 + the Senegal variant's learner; nothing of Morocco
    assert snapshot.lookup(coordinator, services.parse_filters({"country": "MA"})) is None


def test_refresh_from_the_cli_and_the_page_says_as_of_when(two_courses, app, login_as):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["stats", "refresh"])
    assert result.exit_code == 0, result.output
    assert "stats: snapshot of" in result.output
    client, _user = login_as("coordinator", "MA")
    page = client.get("/stats/?lang=en").get_data(as_text=True)
    assert "Figures as of" in page
    page = client.get("/stats/?since=2025-01-01&lang=en").get_data(as_text=True)
    assert "Figures as of" not in page
    exported = client.get("/stats/export?format=json&level=region&country=MA")
    assert exported.status_code == 200
    meta = json.loads(exported.get_data(as_text=True))["meta"]
    assert meta["figures_as_of"] <= meta["generated_at"]
    dated = json.loads(client.get("/stats/export?format=json&level=region&country=MA&since=2025-01-01")
                       .get_data(as_text=True))["meta"]
    assert dated["figures_as_of"] == dated["generated_at"]


def test_a_view_read_from_the_snapshot_costs_a_constant_number_of_statements(two_courses, db, login_as,
                                                                             add_learner_to, queries):
    from recosa_learn.stats import snapshot

    snapshot.refresh()
    client, _user = login_as("coordinator", "MA")
    client.get("/stats/")
    db.session.remove()
    with queries() as small:
        assert "Figures as of" in client.get("/stats/?lang=en").get_data(as_text=True)
    for i in range(6):
        add_learner_to("MA-TANGER" if i % 2 else "MA-FES", completed_days=3, scores=(88,))
    snapshot.refresh()
    db.session.remove()
    with queries() as big:
        assert "Figures as of" in client.get("/stats/?lang=en").get_data(as_text=True)
    assert len(small) == len(big), "\n".join(sorted(set(big) - set(small)))
    assert not any("enrolments" in statement for statement in big)  # nothing is computed from the learners' rows
