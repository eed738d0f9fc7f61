"""The dashboard and its exports over HTTP and the CLI: scope, suppression, formats, audit, query count."""
from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
import sqlalchemy as sa


def _ma_region_table(app, user):
    from recosa_learn.stats import services

    with app.test_request_context():
        return services.table(user, services.parse_filters({"country": "MA"}), "region", "fr")


def test_dashboard_page(stats_world, login_as):
    client, _user = login_as("coordinator", "MA")
    html = client.get("/stats/?country=MA").get_data(as_text=True)
    assert "<svg" in html and "<title id=" in html and "<desc id=" in html
    assert "&lt;5" in html  # small counts withheld
    assert 'style="' not in html  # strict CSP: no inline styles
    assert "L&#39;Oriental" in html or "L'Oriental" in html
    assert "Kaolack" not in html
    # breadcrumbs back up, drill-down links down
    assert 'href="/stats/?country=MA&amp;region=MA-02"' in html
    assert 'href="/stats/"' in html


def test_coordinator_of_mali_sees_nothing_of_senegal(stats_world, login_as, make_user, db):
    from recosa_learn.stats.models import Cohort

    client, _user = login_as("coordinator", "ML")
    for url in ("/stats/?country=SN", "/stats/export?country=SN", "/stats/export?format=xlsx&country=SN",
                "/stats/?municipality=SN-KAOLACK", "/stats/export?region=SN-KL&format=json"):
        assert client.get(url).status_code in (403, 400), url
    for url in ("/stats/export/learners?country=SN", "/stats/xapi"):
        assert client.get(url).status_code == 403, url
    html = client.get("/stats/").get_data(as_text=True)
    assert "Kaolack" not in html and "Oriental" not in html
    body = client.get("/stats/export?format=csv&level=municipality").get_data(as_text=True)
    assert "SN-" not in body and "MA-" not in body
    data = json.loads(client.get("/stats/export?format=json&level=country").get_data(as_text=True))
    assert data["places"][-1]["enrolled"] == 0 and len(data["places"]) == 1  # only the total, of nothing
    cohort = Cohort(name="Kaolack", country_code="SN", trainer_id=make_user("trainer", "SN").id)
    db.session.add(cohort)
    db.session.commit()
    assert client.get(f"/stats/cohorts/{cohort.id}").status_code == 404
    assert client.get(f"/stats/?cohort={cohort.id}").status_code == 403


def test_csv_export_matches_the_dashboard(app, stats_world, login_as, db):
    from recosa_learn.accounts.models import AuditEvent
    from recosa_learn.stats.exports import COLUMNS

    client, user = login_as("coordinator", "MA")
    response = client.get("/stats/export?format=csv&country=MA&level=region")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert tuple(rows[0]) == COLUMNS
    table = _ma_region_table(app, user)
    by_code = {r[1]: r for r in rows[1:]}
    for row in table.rows:
        line = by_code[row.code]
        assert line[5] == ("<5" if "enrolled" in row.hidden else str(row.enrolled))
        assert line[7] == ("<5" if "completed" in row.hidden else str(row.completed))
    total = rows[-1]
    assert total[0] == "total" and total[5] == "8"
    comma = client.get("/stats/export?format=csv&delimiter=,&country=MA").get_data(as_text=True)
    assert comma.splitlines()[0].lstrip("\ufeff").startswith("level,code,name")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "stats.export")
                              .order_by(AuditEvent.id.desc()))
    assert event.actor_id == user.id and event.details["rows"] == 3 and event.country_code == "MA"


def test_xlsx_export_opens_and_matches(app, stats_world, login_as):
    app.config["STATS_MIN_CELL"] = 2
    client, user = login_as("coordinator", "MA")
    response = client.get("/stats/export?format=xlsx&country=MA&level=region")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=False)
    assert book.sheetnames == ["places", "courses", "sex", "age_band", "profile"]
    sheet = book["places"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["level", "code", "name", "country_code", "region_code", "enrolled"]
    assert sheet["A1"].font.bold
    values = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    table = _ma_region_table(app, user)
    oriental = next(r for r in table.rows if r.code == "MA-02")
    assert values["MA-02"][5] == oriental.enrolled == 6  # a number, not text
    assert values["MA-02"][8] == oriental.value("completion_rate")
    rabat = next(r for r in table.rows if r.code == "MA-04")
    assert values["MA-04"][7] == ("<2" if "completed" in rabat.hidden else rabat.completed)


def test_json_export(stats_world, login_as):
    client, _user = login_as("admin", None)
    data = json.loads(client.get("/stats/export?format=json&level=country").get_data(as_text=True))
    assert set(data) == {"meta", "places", "courses", "sex", "age_band", "profile"}
    ma = next(r for r in data["places"] if r["code"] == "MA")
    assert ma["enrolled"] == 8 and ma["completed"] is None and "completed" in ma["suppressed"]


def test_raw_figures_only_for_learner_level(stats_world, login_as):
    client, _user = login_as("admin", None)
    assert "&lt;5" not in client.get("/stats/?country=MA&raw=y").get_data(as_text=True)
    client, _user = login_as("coordinator", "MA")
    assert "&lt;5" in client.get("/stats/?country=MA&raw=y").get_data(as_text=True)


def test_learner_level_export_is_pseudonymous(app, stats_world, login_as, db):
    from recosa_learn.accounts.models import AuditEvent
    from recosa_learn.stats.services import pseudonym

    client, _admin = login_as("admin", None)
    body = client.get("/stats/export/learners?format=csv&country=MA").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 8 and "name" not in rows[0]
    first = stats_world["users"][0]
    assert rows[0]["learner"] == pseudonym(first.id) and first.email not in body
    named = client.get("/stats/export/learners?format=csv&country=MA&names=1").get_data(as_text=True)
    assert first.email in named
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "stats.export")
                              .order_by(AuditEvent.id.desc()))
    assert event.details["level"] == "learner" and event.details["names"] is True and event.details["rows"] == 8


def test_bad_export_arguments(stats_world, login_as):
    client, _user = login_as("coordinator", "MA")
    assert client.get("/stats/export?format=pdf").status_code == 400
    assert client.get("/stats/export?level=planet").status_code == 400
    assert client.get("/stats/?since=31/12/2025").status_code == 400


def test_dashboard_query_count_is_constant(app, db, stats_world, login_as, add_learner_to, queries):
    client, _user = login_as("coordinator", "MA")
    client.get("/stats/?country=MA")
    db.session.remove()
    with queries() as small:
        assert client.get("/stats/?country=MA").status_code == 200
    for i in range(6):
        add_learner_to("MA-TANGER" if i % 2 else "MA-FES", completed_days=3, scores=(88,))
    db.session.remove()
    with queries() as big:
        assert client.get("/stats/?country=MA").status_code == 200
    assert len(small) == len(big), "\n".join(sorted(set(big) - set(small)))
    assert len(big) <= 40


def test_cli_export(app, stats_world, runner, tmp_path):
    out = tmp_path / "towns.csv"
    result = runner.invoke(args=["stats", "export", "--level", "municipality", "--country", "MA", "--format", "csv",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert {r[1] for r in rows[1:-1]} == {"MA-OUJDA", "MA-SALE"}
    assert rows[1][5] in ("<5", "6")
    xlsx = tmp_path / "all.xlsx"
    result = runner.invoke(args=["stats", "export", "--level", "country", "--format", "xlsx", "--out", str(xlsx)])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(xlsx)["places"]["B2"].value == "MA"
    refused = runner.invoke(args=["stats", "export", "--level", "country", "--learner-level", "--out",
                                  str(tmp_path / "x.csv")])
    assert refused.exit_code != 0 and "--as-admin" in refused.output
    allowed = runner.invoke(args=["stats", "export", "--level", "country", "--learner-level", "--as-admin",
                                  "--out", str(tmp_path / "x.csv")])
    assert allowed.exit_code == 0, allowed.output
    bad = runner.invoke(args=["stats", "export", "--level", "country", "--country", "XX", "--out", str(out)])
    assert bad.exit_code != 0


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_streams(stats_world, login_as, fmt):
    client, _user = login_as("coordinator", "MA")
    response = client.get(f"/stats/export?format={fmt}&country=MA", buffered=False)
    assert response.is_streamed
    response.close()
