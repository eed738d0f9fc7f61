"""Cohorts (invitation flow reused, trainer's view with progress and reflections) and scheduled reports."""
from __future__ import annotations

import io
from datetime import date

import openpyxl
import sqlalchemy as sa
from conftest import csrf_token, municipality


def test_trainer_creates_a_cohort_invites_and_sees_progress(app, db, stats_world, login_as, make_user):
    from recosa_learn.accounts.models import User
    from recosa_learn.stats.models import Cohort, CohortMember

    client, trainer = login_as("trainer", "MA")
    token = csrf_token(client, "/stats/cohorts/new")
    response = client.post("/stats/cohorts/new", data={"csrf_token": token, "name": "Atelier Oujda",
                                                       "municipality": "MA-OUJDA", "course": "migration-101",
                                                       "starts_on": "2025-03-01", "ends_on": "2025-03-03"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    cohort = db.session.scalar(sa.select(Cohort))
    assert cohort.country_code == "MA" and cohort.trainer_id == trainer.id
    # a wrong line: nothing saved, 400
    bad = client.post(f"/stats/cohorts/{cohort.id}/invite", data={
        "csrf_token": token, "people": "Awa, awa@example.org, Oujda\nBad, not-an-email, Oujda"})
    assert bad.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(CohortMember.id))) == 0
    # a Senegalese town is outside the cohort's country
    other = client.post(f"/stats/cohorts/{cohort.id}/invite", data={
        "csrf_token": token, "people": "Awa, awa@example.org, Kaolack"})
    assert other.status_code == 400
    good = client.post(f"/stats/cohorts/{cohort.id}/invite", data={
        "csrf_token": token, "people": "Awa Diallo; awa@example.org; Oujda\nYoussef; youssef@example.org; MA-OUJDA"})
    assert good.status_code == 302
    invited = db.session.scalar(sa.select(User).where(User.email == "awa@example.org"))
    assert invited.invited_by_id == trainer.id
    # existing learners of the stats world join too (their reflections show)
    from recosa_learn.stats.cohorts import add_members

    first = db.session.get(User, stats_world["users"][0].id)
    add_members(db.session.get(Cohort, cohort.id), [first])
    db.session.commit()
    html = client.get(f"/stats/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Awa Diallo" in html and first.name in html
    assert "Très utile" in html  # reflection answer
    assert "m1/quiz: 80.0 (2)" in html  # best score and attempts
    # another trainer of the same country does not see it
    other_client, _ = login_as("trainer", "MA")
    assert other_client.get(f"/stats/cohorts/{cohort.id}").status_code == 404
    # the coordinator of Morocco does, and can filter statistics by it
    coordinator, _ = login_as("coordinator", "MA")
    assert coordinator.get(f"/stats/cohorts/{cohort.id}").status_code == 200
    page = coordinator.get(f"/stats/?cohort={cohort.id}&raw=y").get_data(as_text=True)
    assert page.count("Oujda") >= 1


def test_cohort_form_errors(app, db, places, login_as):
    client, _trainer = login_as("trainer", "MA")
    token = csrf_token(client, "/stats/cohorts/new")
    response = client.post("/stats/cohorts/new", data={"csrf_token": token, "name": "", "municipality": "SN-KAOLACK"})
    assert response.status_code == 400
    response = client.post("/stats/cohorts/new", data={"csrf_token": token, "name": "X", "municipality": "MA-OUJDA",
                                                       "starts_on": "2025-03-05", "ends_on": "2025-03-01"})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert 'id="ends_on-error"' in response.get_data(as_text=True)


def test_subscribe_and_send_monthly_reports(app, db, stats_world, login_as, runner, tmp_path, outbox):
    from recosa_learn.accounts.models import AuditEvent
    from recosa_learn.stats import reports
    from recosa_learn.stats.models import ReportSubscription

    client, coordinator = login_as("coordinator", "MA")
    token = csrf_token(client, "/stats/subscriptions")
    assert client.post("/stats/subscriptions", data={"csrf_token": token, "country": "MA",
                                                     "municipality": "MA-OUJDA"}).status_code == 302
    assert client.post("/stats/subscriptions", data={"csrf_token": token, "country": "SN"}).status_code == 400
    assert client.post("/stats/subscriptions", data={"csrf_token": token, "country": "MA",
                                                     "municipality": "SN-KAOLACK"}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(ReportSubscription.id))) == 1

    # by mail (the test backend keeps messages in memory)
    delivered = reports.send_scheduled(today=date(2025, 4, 2), echo=lambda _m: None)
    db.session.commit()
    assert delivered == 1
    outbox = app.extensions["mailman"].outbox
    message = outbox[-1]
    assert message.to == [coordinator.email]
    name, content, mimetype = message.attachments[0]
    assert name == "recosa-report-ma-oujda-2025-03.xlsx" and mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book["places"]["B2"].value == "MA-OUJDA" and book["months"]["A2"].value == "2025-03"
    assert reports.send_scheduled(today=date(2025, 4, 20), echo=lambda _m: None) == 0  # already served
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "stats.report"))
    assert event.details["period"] == "2025-03"

    # without SMTP: written to STATS_REPORT_DIR
    app.config.update(MAIL_BACKEND="console", STATS_REPORT_DIR=str(tmp_path))
    result = runner.invoke(args=["stats", "send-scheduled"])
    assert result.exit_code == 0, result.output
    files = list(tmp_path.glob("recosa-report-ma-oujda-*.xlsx"))
    assert len(files) == 1
    assert openpyxl.load_workbook(files[0]).sheetnames[:2] == ["places", "courses"]

    # unsubscribe
    subscription = db.session.scalar(sa.select(ReportSubscription))
    assert client.post("/stats/subscriptions", data={"u-csrf_token": token, "u-subscription": subscription.id}
                       ).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(ReportSubscription.id))) == 0
    assert municipality("MA-OUJDA") is not None
