"""Base drafts change shape: modules and activities added and removed (learners' progress kept, and back with a
restored version); the translation table against a chosen source language; approval offered to others only."""
from __future__ import annotations

from html import unescape

from conftest import csrf_token, login
from sqlalchemy import select

from recosa_learn.authoring import drafts, services
from recosa_learn.content.models import Activity, Module
from recosa_learn.content.services import current_version, load_version_tree

COURSE = "/workspace/example-course"
DRAFT = f"{COURSE}/draft/"


def _post(client, url, data=None, page=None):
    return client.post(url, data={"csrf_token": csrf_token(client, page or f"{COURSE}/"), **(data or {})})


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _publish(author, reviewer):
    assert _post(author, f"{COURSE}/draft/submit", page=DRAFT).status_code == 302
    response = _post(reviewer, f"{COURSE}/draft/publish", page=DRAFT)
    assert response.status_code == 302, _text(response)[:600]


def test_modules_and_activities_added_to_a_draft(login_as, make_user, imported, db):
    client, _admin = login_as("admin", None, language="en")
    reviewer = login(client.application.test_client(), make_user("trainer", None))
    assert _post(client, f"{COURSE}/draft/new").status_code == 302
    html = client.get(DRAFT).get_data(as_text=True)
    assert "Add a module" in html and '<option selected value="practice">' in html

    url = f"{COURSE}/draft/modules"
    for bad, reason in (({"key": "Local Module"}, "A key uses lower-case letters"),
                        ({"key": "basics"}, "This key is already used here."),
                        ({"after": "nowhere"}, "This item is not in the course.")):
        response = _post(client, url, {"key": "rights", "title": "Les droits", "after": "basics", **bad}, DRAFT)
        assert response.status_code == 400 and reason in _text(response), bad
    response = _post(client, url, {"key": "rights", "title": "Les droits", "after": "basics"}, DRAFT)
    assert response.status_code == 302
    draft = drafts.current_draft(imported)
    assert [m.key for m in draft.modules] == ["basics", "rights", "practice"]

    # an empty module or quiz cannot go to review
    response = _post(client, f"{COURSE}/draft/submit", page=DRAFT)
    assert response.status_code == 400 and "rights" in _text(response)

    module_page = f"{COURSE}/draft/items/rights"
    assert "Add an activity" in client.get(module_page).get_data(as_text=True)
    add = f"{COURSE}/draft/activities/rights"
    lesson = {"key": "charter", "type": "lesson", "title": "La charte", "after": "",
              "body": "## La charte\n\n<script>alert(1)</script>Texte.", "sources": "UA, 2004"}
    response = _post(client, add, {**lesson, "sources": ""}, module_page)
    assert response.status_code == 400 and "at least one source" in _text(response)
    assert _post(client, add, lesson, module_page).status_code == 302
    quiz = {"key": "check", "type": "quiz", "title": "Vérifier", "after": "charter"}
    assert _post(client, add, quiz, module_page).status_code == 302
    assert _post(client, add, {**quiz, "title": "Encore"}, module_page).status_code == 400  # the key is taken
    response = _post(client, f"{COURSE}/draft/submit", page=DRAFT)
    assert response.status_code == 400 and "rights/check" in _text(response)
    question = {"key": "q1", "type": "true_false", "text": "La charte existe.", "answer": "true", "options": ""}
    assert _post(client, f"{COURSE}/draft/questions/rights/check", question,
                 f"{COURSE}/draft/items/rights/check").status_code == 302

    _publish(client, reviewer)
    published = load_version_tree(current_version(imported, None).id)
    rights = next(m for m in published.modules if m.key == "rights")
    assert [(a.path, a.type, a.sequence) for a in rights.activities] == [("rights/charter", "lesson", 2),
                                                                        ("rights/check", "quiz", 3)]
    assert "<script" not in rights.activities[0].html["fr"] and rights.activities[0].sources == ["UA, 2004"]
    assert [q.key for q in rights.activities[1].questions] == ["q1"]
    assert rights.hashes["fr"] and rights.activities[0].hashes["fr"]


def _learner_with_progress(make_user, imported, db):
    from recosa_learn.learn.models import ActivityProgress, Enrolment, QuizAttempt

    learner = make_user("trainee", "MA")
    enrolment = Enrolment(user_id=learner.id, course_id=imported.id)
    db.session.add(enrolment)
    db.session.flush()
    db.session.add_all([
        ActivityProgress(enrolment_id=enrolment.id, activity_path="practice/bank", status="done", best_score=80),
        QuizAttempt(enrolment_id=enrolment.id, activity_path="practice/bank",
                    version_id=current_version(imported, None).id, score=80, passed=True)])
    db.session.commit()
    return learner


def test_removing_an_activity_keeps_progress_and_restoring_brings_it_back(login_as, make_user, imported, db):
    from recosa_learn.learn.models import ActivityProgress, QuizAttempt
    from recosa_learn.learn.services import load_outline

    client, _admin = login_as("admin", None, language="en")
    reviewer = login(client.application.test_client(), make_user("trainer", None))
    learner = _learner_with_progress(make_user, imported, db)
    assert _post(client, f"{COURSE}/draft/new").status_code == 302

    url = f"{COURSE}/draft/remove/practice/bank"
    page = _text(client.get(url))
    assert "1 learner has progress on it." in page and "Their progress is kept" in page
    # a POST without the confirmation shows the question again and removes nothing
    assert _post(client, url, {}, DRAFT).status_code == 200
    assert drafts.find_item(drafts.current_draft(imported), "practice/bank") is not None
    response = _post(client, url, {"confirm": "1"}, url)
    assert response.status_code == 302 and response.headers["Location"].endswith(DRAFT)
    assert "1 learner has progress on it: it is kept" in _text(client.get(DRAFT))
    draft = drafts.current_draft(imported)
    assert drafts.find_item(draft, "practice/bank") is None and [a.key for a in draft.modules[1].activities] == []

    # the emptied module cannot be published; the module goes too
    response = _post(client, f"{COURSE}/draft/remove/practice", {"confirm": "1"}, DRAFT)
    assert response.status_code == 302
    _publish(client, reviewer)
    db.session.expire_all()
    outline = load_outline(learner, "example-course")
    assert "practice/bank" not in [s.path for s in outline.steps]
    assert db.session.scalar(select(ActivityProgress.status).where(
        ActivityProgress.activity_path == "practice/bank")) == "done"
    assert db.session.scalar(select(QuizAttempt.score)) == 80

    # version 1 restored and published: the quiz is back, done, with its attempt
    assert _post(client, f"{COURSE}/versions/1/restore").status_code == 302
    _publish(client, reviewer)
    db.session.expire_all()
    step = load_outline(learner, "example-course").step("practice/bank")
    assert step is not None and step.status == "done" and step.best_score == 80


def test_removal_refusals(login_as, make_user, imported, db):
    client, _admin = login_as("admin", None, language="en")
    _learner_with_progress(make_user, imported, db)
    assert _post(client, f"{COURSE}/draft/new").status_code == 302
    # the completion rule lists basics/words and basics/check only: the module holding both stays
    response = _post(client, f"{COURSE}/draft/remove/basics", {"confirm": "1"}, DRAFT)
    assert response.status_code == 400 and "completion rule" in _text(response)
    assert _post(client, f"{COURSE}/draft/remove/basics/words", {"confirm": "1"}, DRAFT).status_code == 302
    draft = drafts.current_draft(imported)
    assert draft.completion["required"] == ["basics/check"]
    # a new activity may not take the key of a removed one learners have progress on
    assert _post(client, f"{COURSE}/draft/remove/practice", {"confirm": "1"}, DRAFT).status_code == 302
    response = _post(client, f"{COURSE}/draft/modules", {"key": "practice", "title": "Pratique", "after": ""}, DRAFT)
    assert response.status_code == 400 and "Learners have progress on an earlier item" in _text(response)
    assert _post(client, f"{COURSE}/draft/remove/basics/check", {"confirm": "1"}, DRAFT).status_code == 400
    assert db.session.scalar(select(Module.key).where(Module.version_id == draft.id)) == "basics"
    assert db.session.scalars(select(Activity.path).where(Activity.version_id == draft.id)).all() == ["basics/check"]


def test_learners_with_progress_counts_each_learner_once(make_user, imported, db):
    from recosa_learn.learn.models import ActivityProgress, Enrolment

    _learner_with_progress(make_user, imported, db)
    other = make_user("trainee", "SN")
    enrolment = Enrolment(user_id=other.id, course_id=imported.id, country_code="SN")
    db.session.add(enrolment)
    db.session.flush()
    db.session.add(ActivityProgress(enrolment_id=enrolment.id, activity_path="basics/words"))
    db.session.commit()
    assert drafts.learners_with_progress(imported, "practice/bank") == 1
    assert drafts.learners_with_progress(imported, "practice") == 1
    assert drafts.learners_with_progress(imported, "basics") == 1
    assert drafts.learners_with_progress(imported, "basics/check") == 0
    assert drafts.learners_with_progress(imported, "basic") == 0  # a prefix of a key is not the module


def test_translation_table_against_a_chosen_source(login_as, imported, db, queries):
    client, author = login_as("admin", None, language="en")
    assert _post(client, f"{COURSE}/draft/new").status_code == 302
    tree = load_version_tree(drafts.current_draft(imported).id)
    drafts.edit_texts(imported, tree, "basics", {("title", "fr"): "Les bases, revues"}, author)
    db.session.commit()

    def status(source):
        rows = {r["path"]: r for r in drafts.translation_table(imported, tree, source)}
        return rows["basics"]["status"]

    assert status(None) == {"en": "stale", "ar": "stale"}
    # against English, the French text (no record) is up to date; Arabic was written from an older French text
    assert status("en") == {"fr": "up_to_date", "ar": "stale"}
    # Arabic translated again from the English text (the draft item page opened from the table with ?source=en)
    page = f"{COURSE}/draft/items/basics?source=en"
    assert "recorded as written from the English text" in _text(client.get(page))
    response = _post(client, page, {"title__fr": "Les bases, revues", "title__en": "The basics",
                                    "title__ar": "الأساسيات المنقحة", "summary__fr": tree.modules[0].summary["fr"],
                                    "summary__en": tree.modules[0].summary["en"],
                                    "summary__ar": tree.modules[0].summary["ar"]}, page)
    assert response.status_code == 302 and response.headers["Location"].endswith("?source=en")
    db.session.expire_all()
    tree = load_version_tree(drafts.current_draft(imported).id)
    assert status("en")["ar"] == "up_to_date"
    assert status("fr") == {"en": "stale", "ar": "stale"}  # written from English, not from this French text

    db.session.expire_all()
    with queries() as french:
        html = _text(client.get(f"{COURSE}/translations"))
    assert '<option value="fr" selected>' in html and "To do, by language" in html
    db.session.expire_all()
    with queries() as english:
        html = _text(client.get(f"{COURSE}/translations?source=en"))
    assert '<option value="en" selected>' in html and "<h3>fr (" in html and "<h3>en (" not in html
    assert f'href="{COURSE}/draft/items/basics?source=en"' in html
    assert len(french) == len(english)
    assert '<option value="fr" selected>' in _text(client.get(f"{COURSE}/translations?source=xx"))


def test_approval_is_offered_to_others_only(login_as, make_user, imported, db):
    author, _trainer = login_as("trainer", None, language="en")
    reviewer = login(author.application.test_client(), make_user("trainer", None, language="en"))
    assert _post(author, f"{COURSE}/draft/new").status_code == 302
    assert _post(author, f"{COURSE}/draft/submit", page=DRAFT).status_code == 302
    mine = _text(author.get(DRAFT))
    assert "Approve and publish" not in mine
    assert "You sent this draft for review: another trainer or an admin must approve and publish it." in mine
    theirs = _text(reviewer.get(DRAFT))
    assert "Approve and publish" in theirs and "You sent this draft" not in theirs


def test_forged_approval_by_the_submitter_is_refused_in_their_language(app, make_user, imported, db):
    """The button is not offered, but a forged POST is still refused, with the reason in French."""
    author = make_user("trainer", "MA", language="fr")
    version, base = services.current_base(imported)
    adaptation = services.create_adaptation(imported, "MA", author, version, base)
    services.set_replacement(adaptation, base, "basics/words", "title", "fr", "Les mots au Maroc", author)
    services.submit_adaptation(adaptation, author)
    db.session.commit()
    client = login(app.test_client(), author)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    url = f"{COURSE}/adaptations/MA"
    page = _text(client.get(url))
    assert f'action="{url}/publish"' not in page and "un autre formateur ou un administrateur" in page.lower()
    response = _post(client, f"{url}/publish", {"note": "moi"}, url)
    assert response.status_code == 400
    assert "Un autre formateur doit approuver ce que vous avez soumis." in _text(response)
    assert current_version(imported, "MA").country_code is None  # nothing published
