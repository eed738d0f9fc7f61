"""Local items of a country added on the web: a question (first in a quiz or after a question) and a module with its
lesson, stored as adaptation.yaml's ``add`` entries, so export and re-import keep them; edited and removed like the
country's other changes; shown in the preview and, once published, to the country's learners."""
from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from conftest import csrf_token, login

from recosa_learn.authoring import adapt, services
from recosa_learn.content.writer import dump_yaml

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "courses" / "example-course"

BASE = "/workspace/example-course/adaptations/MA"
QUESTION = f"{BASE}/local-question?quiz=basics/check"


def _post(client, url, data, page=None):
    return client.post(url, data={"csrf_token": csrf_token(client, page or BASE), **data})


def _question(**fields):
    return {"after": "q-place", "key": "ma-q1", "type": "single_choice", "answer": "true", "points": "2",
            "text__fr": "Où se trouve l'ANAPEC ?", "text__en": "Where is ANAPEC?", "text__ar": "أين توجد الوكالة؟",
            "options__fr": "Rabat\n*Casablanca\nFès", "options__en": "Rabat\nCasablanca\nFez",
            "options__ar": "الرباط\nالدار البيضاء\nفاس",
            "feedback__fr": "Son siège est à Casablanca.", "feedback__en": "Its head office is in Casablanca.",
            "feedback__ar": "مقرها في الدار البيضاء.", **fields}


def _form_values(html: str) -> dict[str, str]:
    """The text boxes of a page's forms with what they hold (as a browser would send them back)."""
    values = {name: unescape(value) for name, value in re.findall(
        r'<input[^>]*?name="([^"]+__[a-z]{2})"[^>]*?value="([^"]*)"', html)}
    values.update({name: re.sub(r"^\r?\n", "", unescape(value)) for name, value in re.findall(
        r'<textarea[^>]*?name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S)})
    return values


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _reimport(imported, adaptation, db, tmp_path):
    """Export the adaptation as adaptation.yaml into a copy of the course's files, check and load them as
    ``flask authoring import-adaptations`` does, and import the adaptation again."""
    import shutil

    from recosa_learn.content.parser import load_course

    _version, base = services.current_base(imported)
    text = dump_yaml(services.adaptation_file_data(adaptation, base))
    course_dir = tmp_path / "example-course"
    shutil.copytree(EXAMPLE, course_dir)
    folder = course_dir / "adaptations" / adaptation.country_code.lower()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "adaptation.yaml").write_text(text, encoding="utf-8")
    doc, problems = load_course(course_dir)
    assert problems == [], problems
    exported = next(a for a in doc.adaptations if a.country == adaptation.country_code)
    version, base = services.current_base(imported)
    again = services.import_adaptation(imported, exported, base, version, None)
    db.session.commit()
    return text, again


def test_local_question_after_a_question_round_trips(login_as, ma_adaptation, imported, db, tmp_path):
    client, _trainer = login_as("trainer", "MA", language="en")
    page = client.get(QUESTION).get_data(as_text=True)
    assert 'name="after"' in page and 'value="q-place"' in page and "At the start" in page
    response = _post(client, QUESTION, _question(), QUESTION)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]

    row = ma_adaptation.overrides[-1]
    assert (row.kind, row.after, row.target) == ("add", "basics/check/q-place", None)
    assert row.payload["key"] == "ma-q1" and row.payload["points"] == 2
    assert [o.get("correct") for o in row.payload["options"]] == [None, True, None]
    assert row.payload["general_feedback"]["fr"] == "Son siège est à Casablanca."
    assert row.payload["options"][1]["text"] == {"fr": "Casablanca", "en": "Casablanca", "ar": "الدار البيضاء"}
    _version, base = services.current_base(imported)
    questions = [q.key for q in adapt.resolved_course(ma_adaptation, base).activity("basics/check").quiz.questions]
    assert questions[questions.index("q-place") + 1] == "ma-q1"
    assert "Où se trouve l'ANAPEC ?" in unescape(client.get(f"{BASE}/preview?lang=fr").get_data(as_text=True))

    text, again = _reimport(imported, ma_adaptation, db, tmp_path)
    assert "after: basics/check/q-place" in text and "key: ma-q1" in text
    assert [(r.kind, r.after, r.target, r.payload) for r in again.overrides] == [
        ("add", "basics/check/q-place", None, row.payload)]


def test_local_question_at_the_start_round_trips(login_as, ma_adaptation, imported, db, tmp_path):
    client, _trainer = login_as("trainer", "MA", language="en")
    for key, text in (("ma-first", "Première question"), ("ma-second", "Deuxième question")):
        data = _question(after="", key=key, type="true_false", text__fr=text, text__en=f"{text} (en)",
                         text__ar=f"{text} (ar)", answer="false", points="", feedback__fr="", feedback__en="",
                         feedback__ar="")
        assert _post(client, QUESTION, data, QUESTION).status_code == 302
    rows = ma_adaptation.overrides
    assert [(r.after, r.target) for r in rows] == [(None, "basics/check")] * 2
    assert rows[0].payload == {"key": "ma-first", "type": "true_false", "answer": False, "text": {
        "fr": "Première question", "en": "Première question (en)", "ar": "Première question (ar)"}}
    _version, base = services.current_base(imported)
    quiz = adapt.resolved_course(ma_adaptation, base).activity("basics/check").quiz
    assert [q.key for q in quiz.questions[:3]] == ["ma-first", "ma-second", base.activity("basics/check").quiz
                                                    .questions[0].key]
    text, again = _reimport(imported, ma_adaptation, db, tmp_path)
    assert text.count("first_in: basics/check") == 2
    assert [(r.after, r.target, r.payload["key"]) for r in again.overrides] == [
        (None, "basics/check", "ma-first"), (None, "basics/check", "ma-second")]


def test_local_question_refused_with_reasons(login_as, ma_adaptation, imported, db):
    client, trainer = login_as("trainer", "MA", language="en")
    cases = (({"key": "Bad Key"}, "A key uses lower-case letters"),
             ({"key": "q-place"}, "This key is already used here."),
             ({"options__fr": "Rabat\nCasablanca\nFès"}, "Mark the correct answer"),
             ({"options__en": "Rabat\nCasablanca"}, "Give the options in en in the same number and order as in fr."),
             ({"options__ar": ""}, "The options: missing in ar, which the course requires."),
             ({"feedback__en": ""}, "The feedback: missing in en, which the course requires."),
             ({"text__ar": ""}, "This field is required"),
             ({"points": "500"}, "Points"),
             ({"after": "q-gone"}, "Not a valid choice"))
    for fields, reason in cases:
        response = _post(client, QUESTION, _question(**fields), QUESTION)
        assert response.status_code == 400 and reason in unescape(response.get_data(as_text=True)), fields
    assert ma_adaptation.overrides == []
    _version, base = services.current_base(imported)
    services.set_hidden(ma_adaptation, base, "basics/check", True, trainer)
    db.session.commit()
    response = _post(client, QUESTION, _question(), QUESTION)
    assert response.status_code == 400 and "A hidden item cannot be changed" in _text(response)
    assert [r.kind for r in ma_adaptation.overrides] == ["hide"]
    assert client.get(f"{BASE}/local-question?quiz=basics/words").status_code == 404  # a lesson is no quiz


def test_added_question_is_edited_and_removed(login_as, ma_adaptation, imported, db):
    client, _trainer = login_as("trainer", "MA", language="en")
    assert _post(client, QUESTION, _question(), QUESTION).status_code == 302
    row = ma_adaptation.overrides[-1]
    html = client.get(BASE).get_data(as_text=True)
    edit = f"{BASE}/overrides/{row.id}/edit"
    assert edit in html and "basics/check/ma-q1" in html
    page = client.get(edit).get_data(as_text=True)
    assert 'name="p0-text__en"' in page and 'name="p1-text__fr"' in page and 'name="correct-1"' in page
    data = {**_form_values(page), "p0-text__en": "Where is ANAPEC's head office?", "p3-text__en": "Fez (Fes)",
            "points": "3", "correct-0": "y"}
    assert data["p0-text__fr"] == "Où se trouve l'ANAPEC ?" and data["p3-feedback__fr"] == ""
    response = _post(client, edit, data, edit)
    assert response.status_code == 302
    db.session.expire_all()
    row = services.find_adaptation(imported, "MA").overrides[-1]
    assert row.payload["text"]["en"] == "Where is ANAPEC's head office?" and row.payload["text"]["fr"].startswith("Où")
    assert row.payload["points"] == 3 and [o.get("correct") for o in row.payload["options"]] == [True, None, None]
    assert row.payload["options"][2]["text"] == {"fr": "Fès", "en": "Fez (Fes)", "ar": "فاس"}
    # a language the course requires cannot be emptied; nothing is saved then
    response = _post(client, edit, {**data, "p0-text__ar": "", "p0-text__en": "Changed"}, edit)
    assert response.status_code == 400 and "cannot be emptied (ar)" in unescape(response.get_data(as_text=True))
    db.session.expire_all()
    assert services.find_adaptation(imported, "MA").overrides[-1].payload["text"]["en"].startswith("Where is")
    # removed like any other change
    assert _post(client, f"{BASE}/overrides/{row.id}/remove", {}).status_code == 302
    assert services.find_adaptation(imported, "MA").overrides == []


def test_other_changes_are_edited_on_their_item_page(login_as, ma_adaptation, imported, db):
    client, trainer = login_as("trainer", "MA", language="en")
    _version, base = services.current_base(imported)
    row = services.set_replacement(ma_adaptation, base, "basics/words", "title", "fr", "Les mots", trainer)
    db.session.commit()
    response = client.get(f"{BASE}/overrides/{row.id}/edit")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{BASE}/items/basics/words")


def test_local_module_round_trips_and_reaches_learners(login_as, make_user, ma_adaptation, imported, db,
                                                        tmp_path):
    client, _trainer = login_as("trainer", "MA", language="en")
    url = f"{BASE}/local-module"
    assert '<option selected value="practice">' in client.get(url).get_data(as_text=True)  # after the last module
    data = {"after": "basics", "key": "ma-institutions", "lesson_key": "ma-anapec",
            "title__fr": "Les institutions au Maroc", "title__en": "Institutions in Morocco",
            "title__ar": "المؤسسات في المغرب", "lesson_title__fr": "L'ANAPEC", "lesson_title__en": "ANAPEC",
            "lesson_title__ar": "الوكالة", "body__fr": "## L'ANAPEC\n\n<script>x()</script>Agence.",
            "body__en": "## ANAPEC\n\nThe agency.", "body__ar": "## الوكالة\n\nنص.",
            "sources": "ANAPEC, 2023\nMinistère, 2022"}
    assert _post(client, url, {**data, "key": "basics"}, url).status_code == 400  # a key of the base course
    assert _post(client, url, {**data, "sources": " "}, url).status_code == 400
    response = _post(client, url, {**data, "body__ar": " "}, url)
    assert response.status_code == 400 and "This field is required" in response.get_data(as_text=True)
    assert ma_adaptation.overrides == []
    assert _post(client, url, data, url).status_code == 302
    row = ma_adaptation.overrides[0]
    assert (row.kind, row.after) == ("add", "basics")
    assert row.payload["activities"][0]["sources"] == ["ANAPEC, 2023", "Ministère, 2022"]
    _version, base = services.current_base(imported)
    resolved = adapt.resolved_course(ma_adaptation, base)
    assert [m.key for m in resolved.modules] == ["basics", "ma-institutions", "practice"]
    preview = client.get(f"{BASE}/preview?lang=fr").get_data(as_text=True)
    assert "Les institutions au Maroc" in preview and "<script>x()" not in preview

    # the lesson's English text is changed afterwards
    edit = f"{BASE}/overrides/{row.id}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert 'name="p1-body__en"' in page and "ma-anapec · Text" in unescape(page)
    values = {**_form_values(page), "p1-body__en": "## ANAPEC\n\nThe national agency."}
    assert _post(client, edit, values, edit).status_code == 302
    text, again = _reimport(imported, services.find_adaptation(imported, "MA"), db, tmp_path)
    assert "after: basics" in text and "key: ma-institutions" in text
    assert again.overrides[0].payload["activities"][0]["body"]["en"] == "## ANAPEC\n\nThe national agency."

    # published by another trainer: learners of Morocco get the module, marked local
    assert _post(client, f"{BASE}/submit", {}).status_code == 302
    reviewer = login(client.application.test_client(), make_user("trainer", "MA"))
    assert _post(reviewer, f"{BASE}/publish", {"note": ""}).status_code == 302
    from recosa_learn.content.models import Activity
    from recosa_learn.content.services import current_version
    version = current_version(imported, "MA")
    lesson = db.session.query(Activity).filter_by(version_id=version.id, path="ma-institutions/ma-anapec").one()
    assert lesson.is_local and "<script>" not in lesson.html["fr"] and lesson.html["en"].startswith("<h2>ANAPEC")


def test_published_local_question_reaches_learners(login_as, make_user, ma_adaptation, imported, db):
    client, _trainer = login_as("trainer", "MA", language="en")
    assert _post(client, QUESTION, _question(after=""), QUESTION).status_code == 302
    assert _post(client, f"{BASE}/submit", {}).status_code == 302
    reviewer = login(client.application.test_client(), make_user("trainer", "MA"))
    assert _post(reviewer, f"{BASE}/publish", {"note": ""}).status_code == 302
    from recosa_learn.content.models import Activity
    from recosa_learn.content.services import current_version
    quiz = db.session.query(Activity).filter_by(version_id=current_version(imported, "MA").id,
                                                path="basics/check").one()
    first = quiz.questions[0]
    assert first.key == "ma-q1" and first.is_local and first.points == 2
    assert "Casablanca" in first.rendered["options"]["o2"]["text"]["fr"]


def test_new_pages_run_a_constant_number_of_queries(login_as, ma_adaptation, imported, db, queries):
    client, trainer = login_as("trainer", "MA", language="en")
    _version, base = services.current_base(imported)
    counts = []
    for n in (1, 2):
        texts = {lang: f"Question {n} ({lang})" for lang in ("fr", "en", "ar")}
        row = services.add_local_question(ma_adaptation, base, "basics/check", None, f"ma-q{n}", "true_false",
                                          texts, {}, True, trainer)
        db.session.commit()
        with queries() as statements:
            assert client.get(QUESTION).status_code == 200
            assert client.get(f"{BASE}/local-module").status_code == 200
            assert client.get(f"{BASE}/overrides/{row.id}/edit").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
