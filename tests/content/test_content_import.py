"""``flask content import``: versions, unchanged re-imports, learner data kept, retiring, countries, rollback."""
from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from recosa_learn.content import importer
from recosa_learn.content.models import Activity, Course, CourseVersion, Media, Module
from recosa_learn.content.models import Question as QuestionRow
from recosa_learn.content.parser import load_course
from recosa_learn.content.services import (
    current_version,
    load_version_tree,
    question_from_row,
    version_to_doc,
)
from recosa_learn.learn.models import ActivityProgress, Enrolment
from recosa_learn.quiz.scoring import correct_response, score_question

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(p.name for p in (ROOT / "course_content").iterdir() if (p / "course.yaml").is_file())


def run_import(content, path) -> dict:
    result = content("import", path, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output[result.output.index("{"):])


def course(db, key: str) -> Course:
    return db.session.scalar(sa.select(Course).where(Course.key == key))


def only_unchanged(summary: dict) -> bool:
    return all(c["created"] == c["changed"] == c["retired"] == 0 for c in summary["totals"].values())


def test_shipped_courses_import_then_import_again_changes_nothing(content, db, h):
    first = run_import(content, h.COURSE_CONTENT)
    assert {c["key"]: c["status"] for c in first["courses"]} == dict.fromkeys(SHIPPED, "created")
    assert first["totals"]["course"]["created"] == len(SHIPPED)
    assert first["totals"]["country"]["created"] == 12
    assert first["totals"]["activity"]["created"] > 0 and first["totals"]["option"]["created"] > 0
    before = h.table_counts(db)
    again = run_import(content, h.COURSE_CONTENT)
    assert only_unchanged(again), again["totals"]
    for kind in ("module", "activity", "question", "option"):
        assert again["totals"][kind]["unchanged"] == first["totals"][kind]["created"]
    counts = h.table_counts(db)
    assert counts.pop("audit_events") == before.pop("audit_events") + 1
    assert counts == before


def test_default_path_and_text_summary(app, content, example):
    app.config["COURSE_CONTENT_DIR"] = str(example)
    result = content("import")
    assert result.exit_code == 0, result.output
    assert "example-course" in result.output and "created" in result.output
    assert "question" in result.output and " s" in result.output


def test_lessons_are_rendered_once_with_media_urls(content, db, h):
    run_import(content, h.EXAMPLE_TREE)
    version = current_version(course(db, "example-course"), None)
    words = db.session.scalar(sa.select(Activity).where(Activity.version_id == version.id,
                                                          Activity.path == "basics/words"))
    media = db.session.scalar(sa.select(Media).where(Media.filename == "route.svg"))
    assert set(words.html) == {"fr", "en", "ar"}
    assert f'src="/content/media/{media.sha256}.svg"' in words.html["fr"]
    assert "<table>" in words.html["fr"] and "footnote" in words.html["fr"]
    assert words.settings == {"media": {lang: {"images/route.svg": f"{media.sha256}.svg"}
                                        for lang in ("fr", "en", "ar")}}
    assert media.content_type == "image/svg+xml"
    place = db.session.scalar(sa.select(QuestionRow).where(QuestionRow.key == "q-place")
                              .join(Activity).where(Activity.version_id == version.id))
    assert place.rendered["text"]["en"] == "<p>Where was the Global Compact adopted?</p>\n"
    assert place.rendered["options"]["marrakech"]["text"]["ar"] == "مراكش"
    assert place.rendered["options"]["dakar"]["feedback"]["en"] == "<p>No, not in Dakar.</p>\n"
    assert len(place.hashes["fr"]) == 16 and len(place.options[0].hashes["fr"]) == 16


def test_questions_round_trip_to_the_scoring_model(content, db, h):
    run_import(content, h.EXAMPLE_TREE)
    doc, _ = load_course(h.EXAMPLE_TREE / "example-course")
    version = load_version_tree(current_version(course(db, "example-course"), None).id)
    rows = {a.path: a for m in version.modules for a in m.activities}
    for module in doc.modules:
        for activity in module.activities:
            if activity.quiz is None:
                continue
            loaded = [question_from_row(q) for q in rows[f"{module.key}/{activity.key}"].questions]
            assert loaded == activity.quiz.questions
            for question in loaded:
                if question.type != "reflection":
                    assert score_question(question, correct_response(question)).fraction == pytest.approx(1.0)
    assert version_to_doc(version) == importer.normalise_images(
        dataclasses.replace(doc, adaptations=[]))


@pytest.mark.parametrize("key", SHIPPED)
def test_import_export_import_is_a_fixed_point(content, db, h, tmp_path, key):
    """Every shipped course: the export parses back to the same course, and re-importing it changes nothing."""
    from recosa_learn.content.overlay import resolve

    run_import(content, h.COURSE_CONTENT / key)
    result = content("export", key, tmp_path / "out")
    assert result.exit_code == 0, result.output
    original, problems = load_course(h.COURSE_CONTENT / key)
    exported, exported_problems = load_course(tmp_path / "out" / key)
    assert problems == [] and exported_problems == []
    strip = dataclasses.replace
    assert strip(exported, adaptations=[]) == strip(original, adaptations=[])
    assert [a.country for a in exported.adaptations] == [a.country for a in original.adaptations]
    for mine, theirs in zip(original.adaptations, exported.adaptations):
        assert importer.normalise_images(resolve(exported, theirs)) == importer.normalise_images(resolve(original, mine))
    summary = run_import(content, tmp_path / "out" / key)
    assert only_unchanged(summary), summary["totals"]
    assert summary["courses"][0]["countries"] == {a.country: "unchanged" for a in original.adaptations}


def test_failed_import_changes_nothing(content, db, h, shipped, monkeypatch):
    run_import(content, h.EXAMPLE_TREE)
    for key in SHIPPED[2:]:
        shutil.rmtree(shipped / key)  # two courses: the second one fails in the database
    before = h.table_counts(db)
    real = importer._import_course
    calls = []

    def failing(doc, existing, actor, media):
        calls.append(doc.key)
        result = real(doc, existing, actor, media)
        if len(calls) == 2:
            db.session.add(Course(key=calls[0], kind="training-model"))  # a duplicate key: the database refuses
            db.session.flush()
        return result

    monkeypatch.setattr(importer, "_import_course", failing)
    result = content("import", shipped)
    assert result.exit_code != 0 and isinstance(result.exception, sa.exc.IntegrityError)
    assert len(calls) == 2
    assert h.table_counts(db) == before
    assert [c.key for c in db.session.scalars(sa.select(Course))] == ["example-course"]
    assert not course(db, "example-course").is_retired


def test_edited_lesson_makes_a_new_version_and_keeps_learner_progress(content, db, h, shipped, make_user):
    run_import(content, shipped)
    key = "youth-awareness"
    youth = course(db, key)
    v1 = current_version(youth, None)
    lesson = db.session.scalar(sa.select(Activity).where(Activity.version_id == v1.id, Activity.type == "lesson")
                               .order_by(Activity.sequence))
    learner = make_user("trainee", "MA")
    enrolment = Enrolment(user_id=learner.id, course_id=youth.id, country_code="MA")
    db.session.add(enrolment)
    db.session.flush()
    db.session.add(ActivityProgress(enrolment_id=enrolment.id, activity_path=lesson.path, status="done"))
    db.session.commit()

    module_key, activity_key = lesson.path.split("/")
    path = shipped / key / module_key / f"{activity_key}.fr.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nUne phrase ajoutée pour le test.\n", encoding="utf-8")
    summary = run_import(content, shipped)
    mine = next(c for c in summary["courses"] if c["key"] == key)
    assert mine["status"] == "changed" and mine["version"] == 2
    assert mine["items"]["activity"]["changed"] == 1
    assert mine["items"]["question"]["changed"] == mine["items"]["question"]["created"] == 0
    assert set(mine["countries"].values()) == {"changed"}  # countries follow the new base
    assert {c["key"]: c["status"] for c in summary["courses"] if c["key"] != key} == \
        dict.fromkeys(set(SHIPPED) - {key}, "unchanged")

    db.session.expire_all()
    v2 = current_version(youth, None)
    assert v2.number == 2 and db.session.get(CourseVersion, v1.id).status == "archived"
    new_lesson = db.session.scalar(sa.select(Activity).where(Activity.version_id == v2.id,
                                                             Activity.path == lesson.path))
    assert "Une phrase ajoutée pour le test." in new_lesson.html["fr"]
    assert new_lesson.html["en"] == lesson.html["en"]
    morocco = current_version(youth, "MA")
    assert morocco.base_version_id == v2.id
    progress = db.session.scalar(sa.select(ActivityProgress).where(ActivityProgress.enrolment_id == enrolment.id))
    assert progress.status == "done" and progress.activity_path == lesson.path
    assert db.session.get(Enrolment, enrolment.id).course_id == youth.id


def test_course_gone_from_the_tree_is_retired_never_deleted(content, db, h, shipped, make_user):
    run_import(content, shipped)
    gone = course(db, SHIPPED[0])
    learner = make_user("trainee", "SN")
    db.session.add(Enrolment(user_id=learner.id, course_id=gone.id))
    db.session.commit()
    shutil.rmtree(shipped / SHIPPED[0])
    summary = run_import(content, shipped)
    assert {"key": SHIPPED[0], "status": "retired"}.items() <= summary["courses"][-1].items()
    assert summary["totals"]["course"]["retired"] == 1
    db.session.expire_all()
    assert course(db, SHIPPED[0]).is_retired and current_version(gone, None) is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 1
    shutil.copytree(h.COURSE_CONTENT / SHIPPED[0], shipped / SHIPPED[0])
    back = run_import(content, shipped)
    assert next(c for c in back["courses"] if c["key"] == SHIPPED[0])["status"] == "changed"
    db.session.expire_all()
    assert not course(db, SHIPPED[0]).is_retired


def test_single_course_folder_does_not_retire_the_others(content, db, h):
    run_import(content, h.COURSE_CONTENT)
    summary = run_import(content, h.COURSE_CONTENT / SHIPPED[0])
    assert summary["totals"]["course"]["retired"] == 0
    assert not any(c.is_retired for c in db.session.scalars(sa.select(Course)))


def test_adaptation_gives_a_country_version_with_local_items(content, db, h, queries):
    run_import(content, h.EXAMPLE_TREE)
    example = course(db, "example-course")
    base = current_version(example, None)
    with queries() as statements:
        senegal = current_version(example, "sn")
    assert len(statements) == 1
    assert senegal.country_code == "SN" and senegal.base_version_id == base.id and senegal.status == "published"
    assert current_version(example, "MA").id == base.id  # no Moroccan adaptation: the base course
    tree = load_version_tree(senegal.id)
    activities = {a.path: a for m in tree.modules for a in m.activities}
    assert list(activities) == ["basics/words", "basics/sn-baos", "basics/check", "practice/bank"]
    assert activities["basics/sn-baos"].is_local and not activities["basics/words"].is_local
    questions = {q.key: q for q in activities["basics/check"].questions}
    assert "q-reflect" not in questions and questions["sn-q1"].is_local and not questions["q-place"].is_local
    assert activities["basics/check"].settings["pass_mark"] == 80
    assert activities["basics/check"].settings["attempts"] == 5
    assert tree.title["fr"].endswith("(Sénégal)") and tree.title["en"] == base.title["en"]
    words = activities["basics/words"]
    media = words.settings["media"]  # the Senegalese text with its own image, the base text elsewhere
    assert list(media["fr"]) == ["images/baos.svg"] and list(media["en"]) == ["images/route.svg"]
    assert "Au Sénégal" in words.html["fr"] and f'/content/media/{media["fr"]["images/baos.svg"]}' in words.html["fr"]


def test_changed_adaptation_refreshes_only_its_country(content, db, h, example):
    run_import(content, example)
    h.edit(example / "example-course/adaptations/sn/adaptation.yaml", "attempts: 5", "attempts: 4")
    summary = run_import(content, example)
    mine = summary["courses"][0]
    assert mine["countries"] == {"SN": "changed"} and mine["version"] == 1
    assert all(c["created"] == c["changed"] == 0 for k, c in mine["items"].items())
    db.session.expire_all()
    senegal = current_version(course(db, "example-course"), "SN")
    assert senegal.number == 2
    shutil.rmtree(example / "example-course/adaptations/sn")
    summary = run_import(content, example)
    assert summary["courses"][0]["countries"] == {"SN": "retired"}
    db.session.expire_all()
    assert current_version(course(db, "example-course"), "SN").country_code is None


def test_load_version_tree_runs_a_constant_number_of_queries(content, db, h, queries):
    run_import(content, h.COURSE_CONTENT)
    run_import(content, h.EXAMPLE_TREE)
    counts = {}
    for key in SHIPPED + ["example-course"]:
        version_id = current_version(course(db, key), None).id
        db.session.expunge_all()
        with queries() as statements:
            tree = load_version_tree(version_id)
            version_to_doc(tree)  # walks every module, activity, question and option
        counts[key] = len(statements)
    assert len(set(counts.values())) == 1 and max(counts.values()) <= 6, counts


def test_import_is_audited(content, db, h):
    from recosa_learn.accounts.models import AuditEvent

    run_import(content, h.EXAMPLE_TREE)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "content.import"))
    assert event.details["totals"]["course"]["created"] == 1


def test_unknown_country_refuses_the_import(app, runner, db, h):
    result = runner.invoke(args=["content", "import", str(h.EXAMPLE_TREE)])  # no places loaded
    assert result.exit_code == 1 and "country SN is not in the database" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Course)) == 0


def test_module_rows_keep_keys_and_order(content, db, h):
    run_import(content, h.EXAMPLE_TREE)
    version = current_version(course(db, "example-course"), None)
    modules = db.session.scalars(sa.select(Module).where(Module.version_id == version.id)
                                 .order_by(Module.position)).all()
    assert [m.key for m in modules] == ["basics", "practice"]
