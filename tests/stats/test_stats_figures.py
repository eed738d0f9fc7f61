"""Figures against hand-computed expectations (see the stats_world fixture)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

import pytest


def _rows(table):
    return {r.code: r for r in table.rows}


def _table(make_user, group, role="admin", country=None, suppress=False, **filters):
    from recosa_learn.stats import services

    actor = make_user(role, None if role == "admin" else country)
    parsed = services.parse_filters({**filters, **({"country": country} if country and role == "admin" else {})})
    return services.table(actor, parsed, group, "fr", suppress=suppress)


def test_country_level_figures(stats_world, make_user):
    table = _table(make_user, "country")
    ma, sn = _rows(table)["MA"], _rows(table)["SN"]
    assert (ma.enrolled, ma.started, ma.completed, ma.completion_rate) == (8, 6, 4, 50.0)
    assert (ma.scored, ma.avg_score, ma.median_score, ma.median_days) == (5, 78.0, 80.0, 15.0)
    assert ma.active == 6
    assert (sn.enrolled, sn.started, sn.completed, sn.completion_rate) == (5, 5, 5, 100.0)
    assert (sn.avg_score, sn.median_score, sn.median_days, sn.active) == (60.0, 60.0, 2.0, 5)
    total = table.total
    assert (total.enrolled, total.started, total.completed, total.active) == (13, 11, 9, 11)
    assert total.median_days == 2.0  # 2,2,2,2,2,5,10,20,30


def test_region_and_municipality_levels(stats_world, make_user):
    regions = _rows(_table(make_user, "region", country="MA"))
    oriental, rabat = regions["MA-02"], regions["MA-04"]
    assert (oriental.enrolled, oriental.started, oriental.completed) == (6, 5, 3)
    assert (oriental.avg_score, oriental.median_score, oriental.median_days) == (72.5, 75.0, 20.0)
    assert (rabat.enrolled, rabat.started, rabat.completed, rabat.median_days) == (2, 1, 1, 5.0)
    towns = _rows(_table(make_user, "municipality", region="MA-04"))
    assert list(towns) == ["MA-SALE"]


def test_breakdown_by_sex(stats_world, make_user):
    sexes = _rows(_table(make_user, "sex", country="MA"))
    assert (sexes["female"].enrolled, sexes["female"].completed) == (4, 4)
    assert (sexes["male"].enrolled, sexes["male"].started, sexes["male"].completed) == (3, 2, 0)
    assert sexes[""].enrolled == 1


def test_period_filters(stats_world, make_user):
    # Kaolack's learners enrolled 40 days after the others
    table = _table(make_user, "country", since="2025-04-01")
    assert list(_rows(table)) == ["SN"]
    table = _table(make_user, "country", until="2025-03-10")
    ma = _rows(table)["MA"]
    # completions after 10 March do not count yet: Oujda +10 days (11 March) is too late, Salé +5 days is in
    assert (ma.enrolled, ma.completed) == (8, 1)


def test_the_summary_and_the_history_give_the_same_figures(stats_world, make_user):
    """A period ending before now is read back from attempts and events; one reaching today from the summary kept
    on each enrolment. Over data that all lies before both ends, every figure of every group agrees."""
    from recosa_learn.stats import services

    actor = make_user("admin", None)
    future = (date.today() + timedelta(days=30)).isoformat()
    past = "2026-01-31"  # after every row of the fixture (2025), before today
    for since in (None, "2025-03-03"):
        common = {"since": since} if since else {}
        summary = services.figures_by(actor, services.parse_filters({**common, "until": future}), list(
            services.GROUPS))
        history = services.figures_by(actor, services.parse_filters({**common, "until": past}), list(
            services.GROUPS))
        assert services._needs_history(services.parse_filters({"until": past}))
        assert not services._needs_history(services.parse_filters({"until": future}))
        for group in services.GROUPS:
            assert sorted(map(repr, summary[group])) == sorted(map(repr, history[group])), group


def test_scores_and_activity_as_they_stood_at_the_period_end(stats_world, add_learner_to, make_user):
    # a learner scored 40 in March 2025, then 100 a year later: a 2025 report shows 40, a report to today 100
    from recosa_learn.extensions import db
    from recosa_learn.learn.models import Enrolment, LearningEvent, QuizAttempt
    from recosa_learn.learn.services import rebuild_summaries

    user = add_learner_to("MA-FES", scores=(40,), offset_days=2)
    attempt = db.session.scalar(select(QuizAttempt).join(Enrolment, Enrolment.id == QuizAttempt.enrolment_id)
                                .where(Enrolment.user_id == user.id))
    later = attempt.submitted_at + timedelta(days=365)
    db.session.add(QuizAttempt(enrolment_id=attempt.enrolment_id, activity_path="m1/quiz",
                               version_id=attempt.version_id, number=2, started_at=later, submitted_at=later,
                               score=100.0))
    db.session.add(LearningEvent(user_id=user.id, course_id=stats_world["course_id"],
                                 enrolment_id=attempt.enrolment_id, kind="quiz-passed", created_at=later))
    enrolment = db.session.get(Enrolment, attempt.enrolment_id)
    enrolment.last_activity_at = later
    db.session.flush()
    rebuild_summaries([enrolment.id])
    db.session.commit()
    fes = "MA-FES"
    in_2025 = _rows(_table(make_user, "municipality", country="MA", since="2025-01-01", until="2025-12-31"))[fes]
    assert (in_2025.scored, in_2025.avg_score, in_2025.active) == (1, 40.0, 1)
    to_today = _rows(_table(make_user, "municipality", country="MA", since="2025-01-01"))[fes]
    assert (to_today.scored, to_today.avg_score, to_today.active) == (1, 100.0, 1)
    # active in 2026 only through the later attempt; in a period with no event, not active
    in_2026 = _rows(_table(make_user, "municipality", country="MA", since="2026-01-01"))
    assert (in_2026[fes].enrolled, in_2026[fes].active) == (0, 1)
    quiet = _rows(_table(make_user, "municipality", country="MA", since="2025-06-01", until="2025-12-31"))
    assert fes not in quiet  # enrolled before, no event in the period: no row at all


def test_completions_per_month(stats_world, make_user):
    from recosa_learn.stats import services

    actor = make_user("admin", None)
    months = dict(services.completions_by_month(actor, services.parse_filters({"since": "2025-03-01",
                                                                                  "until": "2025-05-31"})))
    assert months == {"2025-03": 3, "2025-04": 6, "2025-05": 0}


def test_scope_is_a_query_filter(stats_world, make_user):
    sn_only = _rows(_table(make_user, "country", role="coordinator", country="SN"))
    assert list(sn_only) == ["SN"]
    nothing = _table(make_user, "country", role="coordinator", country="ML")
    assert nothing.rows == [] and nothing.total.enrolled == 0


def test_suppression_on_the_dashboard_figures(stats_world, make_user):
    table = _table(make_user, "region", role="coordinator", country="MA", suppress=True)
    rows = _rows(table)
    # Salé's region: 2 enrolled → every count hidden, and derived figures withheld
    assert {"enrolled", "completed", "completion_rate", "median_days"} <= rows["MA-04"].hidden
    # Oriental: its 6 enrolled would give Salé's 2 away (8 - 6): hidden by secondary suppression
    assert {"enrolled", "started", "completed", "completion_rate"} <= rows["MA-02"].hidden
    assert rows["MA-02"].value("completed") is None
    # the total (8) stays visible; its small parts do not
    assert "enrolled" not in table.total.hidden and "completed" in table.total.hidden


def test_median_function_even_and_odd(app, db):
    import sqlalchemy as sa

    from recosa_learn.stats.services import grouped_median

    rows = [("a", 1), ("a", 3), ("a", 10), ("b", 2), ("b", 4), ("b", 6), ("b", 100), ("c", None)]
    values = sa.union_all(*[sa.select(sa.literal(k).label("k0"), sa.literal(v, sa.Float).label("v"))
                            for k, v in rows]).subquery()
    result = dict(db.session.execute(grouped_median(values, 1)).all())
    assert result == {"a": pytest.approx(3.0), "b": pytest.approx(5.0)}


def test_bad_filters_are_refused(app, places):
    from recosa_learn.stats import services

    for args in ({"since": "yesterday"}, {"country": "XX"}, {"since": "2025-02-01", "until": "2025-01-01"},
                 {"course": "nope"}, {"cohort": "12a"}, {"municipality": "MA-NOWHERE"}):
        with pytest.raises(services.StatsError):
            services.parse_filters(args)
    assert services.parse_filters({"until": "2025-01-31"}).until == date(2025, 1, 31)


def test_rebuild_summaries_from_the_cli(stats_world, app, make_user):
    """After rows are written behind the learner pages' back, the CLI puts the summary right again."""
    import sqlalchemy as sa

    from recosa_learn.extensions import db
    from recosa_learn.learn.models import Enrolment

    before = _rows(_table(make_user, "country"))["MA"]
    db.session.execute(sa.update(Enrolment).values(quiz_score=None))
    db.session.commit()
    assert _rows(_table(make_user, "country"))["MA"].scored == 0
    result = app.test_cli_runner().invoke(args=["stats", "rebuild-summaries"])
    assert result.exit_code == 0 and "13 enrolments summarised" in result.output, result.output
    after = _rows(_table(make_user, "country"))["MA"]
    assert (after.scored, after.avg_score, after.median_score) == (before.scored, before.avg_score,
                                                                   before.median_score)
