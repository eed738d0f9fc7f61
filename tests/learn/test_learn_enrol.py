"""Catalog, course page, enrolment, dashboard."""
from __future__ import annotations

import sqlalchemy as sa


def test_catalog_lists_published_courses_and_filters(example, youth, learner):
    client, _user = learner("MA")
    html = client.get("/courses").get_data(as_text=True)
    assert "Exemple : migrer en Afrique de l&#39;Ouest" in html
    assert "Migrations et vivre-ensemble" in html
    html = client.get("/courses?kind=youth-awareness").get_data(as_text=True)
    assert "Migrations et vivre-ensemble" in html and "Exemple" not in html


def test_senegal_learners_see_their_variant(example, learner):
    client, _user = learner("SN")
    html = client.get("/courses").get_data(as_text=True)
    assert "(Sénégal)" in html
    client_ma, _ = learner("MA")
    assert "(Sénégal)" not in client_ma.get("/courses").get_data(as_text=True)


def test_enrol_with_one_click(example, learner, db, lh):
    from recosa_learn.learn.models import Enrolment, LearningEvent

    client, user = learner("MA")
    response = lh.post(client, "/courses/example-course/enrol")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/courses/example-course/basics/words")
    lh.post(client, "/courses/example-course/enrol")  # twice: still one enrolment
    assert db.session.scalar(sa.select(sa.func.count(Enrolment.id)).where(Enrolment.user_id == user.id)) == 1
    kinds = db.session.scalars(sa.select(LearningEvent.kind).where(LearningEvent.user_id == user.id)).all()
    assert kinds == ["course-launched"]
    html = client.get("/courses/example-course").get_data(as_text=True)
    assert "Resume" in html or "Reprendre" in html or "Start" in html or "Commencer" in html
    dashboard = client.get("/learning").get_data(as_text=True)
    assert "Exemple" in dashboard


def test_staff_without_a_municipality_take_courses_of_their_country(example, login_as, lh):
    trainer, _ = login_as("trainer", "SN")
    assert "(Sénégal)" in trainer.get("/courses").get_data(as_text=True)
    admin, _ = login_as("admin", None)  # no country at all: the base course
    html = admin.get("/courses").get_data(as_text=True)
    assert "Exemple : migrer" in html and "(Sénégal)" not in html
    assert lh.post(admin, "/courses/example-course/enrol").status_code == 302
    assert admin.get("/courses/example-course/basics/words").status_code == 200
