"""Base-course drafts: edit, preview, review by someone else, publish atomically, restore; translations state."""
from __future__ import annotations

from conftest import csrf_token, login
from sqlalchemy import select

from recosa_learn.authoring import drafts
from recosa_learn.content.models import Activity, CourseVersion
from recosa_learn.content.services import current_version

COURSE = "/workspace/example-course"


def _post(client, url, data=None, page=None):
    return client.post(url, data={"csrf_token": csrf_token(client, page or f"{COURSE}/"), **(data or {})})


def test_country_trainer_cannot_edit_the_base(login_as, imported):
    client, _user = login_as("trainer", "MA", language="en")
    assert client.get(f"{COURSE}/").status_code == 403
    assert client.post(f"{COURSE}/draft/new").status_code in (400, 403)


def test_draft_review_publish_restore(login_as, make_user, imported, db):
    from recosa_learn.learn.models import ActivityProgress, Enrolment

    client, _author = login_as("trainer", None, language="en")
    learner = make_user("trainee", "MA")
    enrolment = Enrolment(user_id=learner.id, course_id=imported.id)
    db.session.add(enrolment)
    db.session.flush()
    db.session.add(ActivityProgress(enrolment_id=enrolment.id, activity_path="basics/words", status="done"))
    db.session.commit()
    first = current_version(imported, None)

    assert _post(client, f"{COURSE}/draft/new").status_code == 302
    page = f"{COURSE}/draft/items/basics/words"
    assert client.get(page).status_code == 200
    xss = "## Nouveau\n\n<script>alert(1)</script><img src=x onerror=alert(1)> [a](javascript:alert(1))"
    response = _post(client, page, {"title__fr": "Les mots", "body__fr": xss,
                                    "body__en": "Words", "body__ar": "كلمات", "title__en": "Words",
                                    "title__ar": "كلمات"}, page)
    assert response.status_code == 302
    assert current_version(imported, None).id == first.id  # learners still get version 1

    assert _post(client, f"{COURSE}/draft/submit", page=f"{COURSE}/draft/").status_code == 302
    assert _post(client, f"{COURSE}/draft/publish", page=f"{COURSE}/draft/").status_code == 400  # own work
    reviewer = login(client.application.test_client(), make_user("trainer", None))
    assert _post(reviewer, f"{COURSE}/draft/publish", {"note": "new lesson text"},
                 f"{COURSE}/draft/").status_code == 302

    db.session.expire_all()
    published = current_version(imported, None)
    assert published.number == 2 and published.note == "new lesson text" and published.source == "web"
    lesson = db.session.scalar(select(Activity).where(Activity.version_id == published.id,
                                                      Activity.path == "basics/words"))
    html = lesson.html["fr"]
    assert "<h2>Nouveau</h2>" in html and "<script" not in html and "<img" not in html
    assert "javascript:" not in html.replace("[a](javascript:alert(1))", "")
    # learner progress still points at an existing activity of the published version
    progress = db.session.scalar(select(ActivityProgress))
    assert progress.activity_path == lesson.path and progress.status == "done"
    assert db.session.get(CourseVersion, first.id).status == "archived"

    # restore version 1 as a new draft, publish it: the old text is back, the keys are the same
    assert _post(client, f"{COURSE}/versions/1/restore").status_code == 302
    assert _post(client, f"{COURSE}/draft/submit", page=f"{COURSE}/draft/").status_code == 302
    assert _post(reviewer, f"{COURSE}/draft/publish", page=f"{COURSE}/draft/").status_code == 302
    db.session.expire_all()
    restored = current_version(imported, None)
    assert restored.number == 3 and restored.modules[0].activities[0].body["fr"] == first.modules[0].activities[0].body["fr"]


def test_translations_become_stale(login_as, imported, db):
    client, author = login_as("admin", None, language="en")
    assert _post(client, f"{COURSE}/draft/new").status_code == 302
    version = drafts.current_draft(imported)
    from recosa_learn.content.services import load_version_tree
    tree = load_version_tree(version.id)
    rows = {r["path"]: r for r in drafts.translation_table(imported, tree)}
    assert rows["basics"]["status"] == {"en": "up_to_date", "ar": "up_to_date"}
    drafts.edit_texts(imported, tree, "basics", {("title", "fr"): "Les bases, revues"}, author)
    rows = {r["path"]: r for r in drafts.translation_table(imported, tree)}
    assert rows["basics"]["status"] == {"en": "stale", "ar": "stale"}
    drafts.edit_texts(imported, tree, "basics", {("title", "en"): "The basics, revised"}, author)
    drafts.edit_texts(imported, tree, "basics", {("summary", "ar"): ""}, author)
    rows = {r["path"]: r for r in drafts.translation_table(imported, tree)}
    assert rows["basics"]["status"] == {"en": "up_to_date", "ar": "missing"}
    db.session.commit()
    html = client.get(f"{COURSE}/translations").get_data(as_text=True)
    assert "stale" in html or "missing" in html


def test_image_upload_checks_and_resizes(login_as, imported, db):
    from io import BytesIO

    from PIL import Image

    from recosa_learn.content.models import Media

    client, _admin = login_as("admin", None, language="en")
    assert _post(client, f"{COURSE}/draft/new").status_code == 302
    page = f"{COURSE}/draft/items/basics/words"
    url = f"{COURSE}/draft/image/basics/words"

    fake = {"image": (BytesIO(b"<svg onload=alert(1)>"), "x.png"), "alt": "A map", "lang": "fr"}
    assert _post(client, url, fake, page).status_code == 400
    buffer = BytesIO()
    Image.new("RGB", (3000, 1500), "white").save(buffer, format="PNG")
    png = buffer.getvalue()
    assert _post(client, url, {"image": (BytesIO(png), "map.png"), "alt": "", "lang": "fr"}, page).status_code == 400
    assert _post(client, url, {"image": (BytesIO(png), "map.png"), "alt": "A map", "lang": "fr"},
                 page).status_code == 302
    media = db.session.query(Media).filter(Media.filename == "upload.png").one()
    assert (media.width, media.height) == (1600, 800)
    lesson = drafts.find_item(drafts.current_draft(imported), "basics/words")[1]
    assert f'src="/content/media/{media.sha256}.png"' in lesson.html["fr"] and 'alt="A map"' in lesson.html["fr"]


def test_quiz_editing(login_as, imported, db):
    client, _admin = login_as("admin", None, language="en")
    assert _post(client, f"{COURSE}/draft/new").status_code == 302
    quiz_page = f"{COURSE}/draft/items/basics/check"
    html = client.get(quiz_page).get_data(as_text=True)
    assert "Add a question" in html and "Quiz settings" in html

    # no correct option: refused, nothing added
    bad = {"key": "q-new", "type": "single_choice", "text": "Which?", "options": "A\nB", "answer": "true"}
    assert _post(client, f"{COURSE}/draft/questions/basics/check", bad, quiz_page).status_code == 400
    good = {**bad, "options": "A\n*B"}
    assert _post(client, f"{COURSE}/draft/questions/basics/check", good, quiz_page).status_code == 302
    assert _post(client, f"{COURSE}/draft/questions/basics/check", good, quiz_page).status_code == 400  # same key

    q_page = f"{COURSE}/draft/items/basics/check/q-new"
    assert _post(client, f"{COURSE}/draft/options/basics/check/q-new", {"key": "c", "text": "C", "correct": "y"},
                 q_page).status_code == 302
    draft = drafts.current_draft(imported)
    question = drafts.find_item(draft, "basics/check/q-new")[1]
    assert [(o.key, o.weight) for o in question.options] == [("o1", 0), ("o2", 0), ("c", 100)]
    assert _post(client, f"{COURSE}/draft/correct/basics/check/q-new/o1", {"correct": "1"}, q_page).status_code == 302
    assert _post(client, f"{COURSE}/draft/remove/basics/check/q-new/c", {}, q_page).status_code == 302
    db.session.expire_all()
    question = drafts.find_item(drafts.current_draft(imported), "basics/check/q-new")[1]
    assert [(o.key, o.weight) for o in question.options] == [("o1", 100), ("o2", 0)]
    assert question.rendered["options"]["o1"]["text"]["fr"] == "A"

    settings = {"pass_mark": "75", "attempts": "", "feedback": "immediate"}
    assert _post(client, f"{COURSE}/draft/quiz-settings/basics/check", settings, quiz_page).status_code == 302
    quiz = drafts.find_item(drafts.current_draft(imported), "basics/check")[1]
    assert quiz.settings["pass_mark"] == 75 and quiz.settings["attempts"] is None
    assert quiz.settings["feedback"] == "immediate"


def test_base_publish_keeps_country_text_and_flags_conflict(imported, make_user, db):
    """A web change of the base reaches a published adaptation where the country did not change the item,
    never overwrites the country's text, and shows the trainer a conflict."""
    from recosa_learn.authoring import adapt, services
    from recosa_learn.content.services import load_version_tree, version_to_doc

    admin, reviewer = make_user("admin", None), make_user("trainer", None)
    version, base = services.current_base(imported)
    ma = services.create_adaptation(imported, "MA", admin, version, base)
    services.set_replacement(ma, base, "basics/words", "title", "fr", "Les mots au Maroc", admin)
    services.submit_adaptation(ma, admin)
    services.publish_adaptation(ma, version, base, reviewer)
    draft = load_version_tree(drafts.create_draft(imported, version, admin).id)
    drafts.edit_texts(imported, draft, "basics/words", {("title", "fr"): "Les mots de la mobilité"}, admin)
    drafts.edit_texts(imported, draft, "basics", {("title", "fr"): "Les bases (2)"}, admin)
    drafts.submit_draft(draft, admin)
    drafts.publish_draft(imported, draft, reviewer)
    db.session.commit()

    country = version_to_doc(load_version_tree(current_version(imported, "MA").id))
    assert country.activity("basics/words").title["fr"] == "Les mots au Maroc"  # kept
    assert country.module("basics").title["fr"] == "Les bases (2)"  # followed
    _version, new_base = services.current_base(imported)
    report = adapt.status_report(ma, new_base)
    assert [(r.target, r.field, r.lang) for r in report.conflicts] == [("basics/words", "title", "fr")]
    assert {s.path for s in report.of("followed")} == {"basics"}


def test_gift_bank_imported_into_a_draft_quiz_and_exported_back(login_as, imported, db):
    from io import BytesIO
    from pathlib import Path

    from recosa_learn.content.gift import parse_gift

    client, _admin = login_as("admin", None, language="en")
    assert _post(client, f"{COURSE}/draft/new").status_code == 302
    quiz_page = f"{COURSE}/draft/items/basics/check"
    assert "Questions from Moodle (GIFT)" in client.get(quiz_page + "?lang=en").get_data(as_text=True)
    quiz = drafts.find_item(drafts.current_draft(imported), "basics/check")[1]
    before = len(quiz.questions)
    url = f"{COURSE}/draft/gift/basics/check"

    broken = {"file": (BytesIO("::Q1:: Capital of Senegal? {=Dakar ~Thiès\n\n::Q2:: 2+2 {#four}\n".encode()),
                       "bank.gift"), "language": "fr"}
    response = _post(client, url + "?lang=en", broken, quiz_page)
    assert response.status_code == 400
    db.session.expire_all()
    quiz = drafts.find_item(drafts.current_draft(imported), "basics/check")[1]
    assert len(quiz.questions) == before  # a file with a problem changes nothing

    bank = (Path(__file__).resolve().parents[1] / "data" / "gift" / "migration-fr.gift").read_text(encoding="utf-8")
    expected = parse_gift(bank, "fr").questions
    response = _post(client, url, {"file": (BytesIO(bank.encode("utf-8")), "bank.gift"), "language": "fr"}, quiz_page)
    assert response.status_code == 302
    db.session.expire_all()
    quiz = drafts.find_item(drafts.current_draft(imported), "basics/check")[1]
    assert len(quiz.questions) == before + len(expected)
    assert all(q.rendered for q in quiz.questions[before:])
    # a second import of the same bank gets new keys instead of clashing
    assert _post(client, url, {"file": (BytesIO(bank.encode("utf-8")), "bank.gift"), "language": "fr"},
                 quiz_page).status_code == 302
    db.session.expire_all()
    quiz = drafts.find_item(drafts.current_draft(imported), "basics/check")[1]
    keys = [q.key for q in quiz.questions]
    assert len(keys) == len(set(keys)) == before + 2 * len(expected)


def test_quiz_downloaded_as_gift(login_as, imported, db):
    from recosa_learn.content.gift import parse_gift
    from recosa_learn.content.services import question_from_row

    client, _admin = login_as("admin", None, language="en")
    assert _post(client, f"{COURSE}/draft/new").status_code == 302
    response = client.get(f"{COURSE}/draft/gift/practice/bank.gift")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    bank = drafts.find_item(drafts.current_draft(imported), "practice/bank")[1]
    assert parse_gift(response.get_data(as_text=True), "fr").questions == [question_from_row(q) for q in bank.questions]
    # ordering and scenario questions have no GIFT form: refused with their keys, not dropped
    refused = client.get(f"{COURSE}/draft/gift/basics/check.gift?language=fr")
    assert refused.status_code == 400


def test_review_comments_on_an_item(login_as, imported, db):
    client, _admin = login_as("admin", None, language="en")
    assert _post(client, f"{COURSE}/draft/new").status_code == 302
    page = f"{COURSE}/draft/items/basics/words"
    assert "No comment yet." in client.get(page + "?lang=en").get_data(as_text=True)
    assert _post(client, f"{COURSE}/draft/comments", {"path": "basics/words", "body": ""}, page).status_code == 400
    assert _post(client, f"{COURSE}/draft/comments", {"path": "basics/words", "body": "Cite the IOM glossary here."},
                 page).status_code == 302
    html = client.get(page + "?lang=en").get_data(as_text=True)
    assert "Cite the IOM glossary here." in html and "No comment yet." not in html


def test_review_comments_on_an_adaptation_item(login_as, ma_adaptation, db):
    client, _trainer = login_as("trainer", "MA", language="en")
    page = f"{COURSE}/adaptations/MA/items/basics/words"
    assert "No comment yet." in client.get(page).get_data(as_text=True)
    assert _post(client, f"{COURSE}/adaptations/MA/comments", {"path": "basics/words", "body": "Name the commune."},
                 page).status_code == 302
    assert "Name the commune." in client.get(page).get_data(as_text=True)
