"""The adaptation pages: editing, conflicts, review and publishing, with what learners get afterwards."""
from __future__ import annotations

import re

from conftest import csrf_token, login

from recosa_learn.authoring import adapt, services

BASE = "/workspace/example-course/adaptations/MA"


def _post(client, url, data, page=None):
    data = {"csrf_token": csrf_token(client, page or BASE), **data}
    return client.post(url, data=data)


def test_workspace_lists_courses(login_as, imported):
    client, _user = login_as("trainer", "MA", language="en")
    html = client.get("/workspace/").get_data(as_text=True)
    assert "Create the adaptation" in html and "<th scope=\"row\">MA</th>" in html
    assert "<th scope=\"row\">SN</th>" not in html  # only the trainer's countries


def test_create_edit_publish(login_as, make_user, imported, db):
    client, _trainer = login_as("trainer", "MA", language="en")
    response = _post(client, "/workspace/example-course/adaptations/MA/create", {"start_from": ""}, "/workspace/")
    assert response.status_code == 302
    page = client.get(BASE)
    assert page.status_code == 200

    url = f"{BASE}/items/basics/words"
    assert client.get(url).status_code == 200
    response = _post(client, url, {"body__fr": "## Au Maroc\n\n<script>alert(1)</script> <img src=x onerror=alert(2)>",
                                   "title__fr": "Les mots (Maroc)"}, url)
    assert response.status_code == 302

    from recosa_learn.learn.models import ActivityProgress, Enrolment
    learner = make_user("trainee", "MA")
    enrolment = Enrolment(user_id=learner.id, course_id=imported.id, country_code="MA")
    db.session.add(enrolment)
    db.session.flush()
    db.session.add(ActivityProgress(enrolment_id=enrolment.id, activity_path="basics/words", status="done"))
    db.session.commit()

    response = _post(client, f"{BASE}/submit", {})
    assert response.status_code == 302
    # the submitter may not approve their own work
    reviewer = make_user("trainer", "MA")
    review_client = login(client.application.test_client(), reviewer)
    assert _post(client, f"{BASE}/publish", {"note": "self"}).status_code == 400
    response = _post(review_client, f"{BASE}/publish", {"note": "first"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]

    from recosa_learn.content.models import Activity
    from recosa_learn.content.services import current_version
    version = current_version(imported, "MA")
    assert version.country_code == "MA" and version.note == "first" and version.source == "web"
    lesson = db.session.query(Activity).filter_by(version_id=version.id, path="basics/words").one()
    assert lesson.title["fr"] == "Les mots (Maroc)"
    html = lesson.html["fr"]
    assert "<script" not in html and "<img" not in html and "<h2>Au Maroc</h2>" in html
    progress = db.session.query(ActivityProgress).one()
    assert progress.status == "done" and progress.activity_path == lesson.path  # progress still matches
    assert lesson.html["en"] == db.session.query(Activity).filter_by(
        version_id=version.base_version_id, path="basics/words").one().html["en"]


def test_conflict_view_and_merge(login_as, ma_adaptation, imported, db):
    client, trainer = login_as("trainer", "MA", language="en")
    version, base = services.current_base(imported)
    services.set_replacement(ma_adaptation, base, "basics/words", "title", "fr", "Les mots du Maroc", trainer)
    db.session.commit()
    # the base changes upstream: a new base version with another French title
    base.activity("basics/words").title["fr"] = "Les mots de la mobilité"
    from recosa_learn.content.importer import build_version, stored_lessons
    from recosa_learn.content.services import load_version_tree
    build_version(imported, base, stored_lessons(load_version_tree(version.id)))
    db.session.commit()

    page = client.get(BASE).get_data(as_text=True)
    row = ma_adaptation.overrides[0]
    conflict_url = f"{BASE}/overrides/{row.id}"
    assert conflict_url in page
    html = client.get(conflict_url).get_data(as_text=True)
    assert "<del><span class=\"visually-hidden\">" in html and "<ins>" in html
    assert "Les mots de la migration" in html and "Les mots de la mobilité" in html
    response = _post(client, conflict_url, {"action": "merge", "merged": "Les mots de la mobilité au Maroc"},
                     conflict_url)
    assert response.status_code == 302
    db.session.expire_all()
    _version, new_base = services.current_base(imported)
    assert not adapt.status_report(ma_adaptation, new_base).conflicts
    assert ma_adaptation.overrides[0].text == "Les mots de la mobilité au Maroc"


def test_bad_input_is_400(login_as, ma_adaptation):
    client, _trainer = login_as("trainer", "MA", language="en")
    url = f"{BASE}/settings/basics/check"
    response = _post(client, url, {"pass_mark": "10"}, f"{BASE}/items/basics/check")
    assert response.status_code == 400  # lower than the base pass mark
    assert ma_adaptation.overrides == []


def test_other_country_trainer_sees_nothing(app, login_as, ma_adaptation, imported, db):
    """A trainer of SN gets 404 on every route of the MA adaptation, and changes nothing."""
    _version, base = services.current_base(imported)
    row = services.set_replacement(ma_adaptation, base, "basics/words", "title", "fr", "Maroc", None)
    db.session.commit()
    client, _user = login_as("trainer", "SN", language="en")
    token = csrf_token(client, "/workspace/")
    values = {"course_key": "example-course", "country_code": "MA", "item_path": "basics/words",
              "override_id": row.id}
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("authoring.") or "country_code" not in rule.arguments:
            continue
        with app.test_request_context():
            from flask import url_for
            url = url_for(rule.endpoint, **{arg: values[arg] for arg in rule.arguments})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={"csrf_token": token, "action": "base", "hidden": "1",
                                                  "body": "x", "start_from": ""})
            assert response.status_code == 404, (method, url, response.status_code)
            checked += 1
    assert checked >= 15
    db.session.expire_all()
    assert [r.text for r in services.find_adaptation(imported, "MA").overrides] == ["Maroc"]


def test_preview_is_sanitized(login_as, ma_adaptation, imported, db):
    client, trainer = login_as("trainer", "MA", language="en")
    _version, base = services.current_base(imported)
    services.set_replacement(ma_adaptation, base, "basics/words", "body", "fr",
                             "[x](javascript:alert(1)) <script>alert(1)</script>", trainer)
    db.session.commit()
    html = client.get(f"{BASE}/preview?lang=fr").get_data(as_text=True)
    assert "<script>alert" not in html and 'href="javascript' not in html
    assert re.search(r"&lt;script&gt;alert\(1\)", html)


def test_pages_run_a_constant_number_of_queries(login_as, ma_adaptation, imported, db, queries):
    """The adaptation's pages do not run a query per item or per override."""
    client, trainer = login_as("trainer", "MA", language="en")
    _version, base = services.current_base(imported)
    counts = []
    for n in (1, 2):
        services.set_replacement(ma_adaptation, base, "basics/words", "title", "fr", f"Maroc {n}", trainer)
        services.set_replacement(ma_adaptation, base, "basics/check/q-place", "text", "en", f"Where {n}", trainer)
        services.set_hidden(ma_adaptation, base, "basics/check/q-members/morocco", n == 2, trainer)
        db.session.commit()
        with queries() as statements:
            assert client.get(BASE).status_code == 200
            assert client.get(f"{BASE}/preview").status_code == 200
            assert client.get("/workspace/").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] and counts[0] <= 40, counts


def test_start_from_another_country(login_as, ma_adaptation, imported, db):
    """A trainer of MA and SN starts the SN adaptation from the MA one: same changes, base link kept."""
    from recosa_learn.accounts.services import grant_role

    client, trainer = login_as("trainer", "MA", language="en")
    grant_role(trainer, "trainer", "SN", None)
    _version, base = services.current_base(imported)
    services.set_replacement(ma_adaptation, base, "basics/words", "title", "fr", "Les mots", trainer)
    db.session.commit()
    html = client.get("/workspace/").get_data(as_text=True)
    assert "The MA adaptation" in html
    response = _post(client, "/workspace/example-course/adaptations/SN/create", {"start_from": "MA"}, "/workspace/")
    assert response.status_code == 302
    sn = services.find_adaptation(imported, "SN")
    assert sn.created_from == "MA" and [(r.target, r.text) for r in sn.overrides] == [("basics/words", "Les mots")]
    assert adapt.resolved_course(sn, base).activity("basics/words").title["fr"] == "Les mots"


def test_course_texts(login_as, ma_adaptation, imported, db):
    client, _trainer = login_as("trainer", "MA", language="en")
    url = f"{BASE}/course-texts"
    assert client.get(url).status_code == 200
    assert _post(client, url, {"title__fr": "Exemple au Maroc"}, url).status_code == 302
    _version, base = services.current_base(imported)
    assert adapt.resolved_course(ma_adaptation, base).title["fr"] == "Exemple au Maroc"
