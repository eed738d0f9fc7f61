"""Adaptations as files (import, export), the import guard for web-edited courses, and question editing."""
from __future__ import annotations

from pathlib import Path

from recosa_learn.authoring import adapt, drafts, services
from recosa_learn.content.overlay import resolve

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "courses" / "example-course"


def test_import_adaptations_then_status(app, imported, db, example_doc, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["authoring", "import-adaptations", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    adaptation = services.find_adaptation(imported, "SN")
    _version, base = services.current_base(imported)
    # the rows give back exactly the file's resolved course
    assert adapt.resolved_course(adaptation, base) == resolve(base, example_doc.adaptations[0])
    assert not adapt.status_report(adaptation, base).conflicts

    result = runner.invoke(args=["authoring", "export-adaptation", "example-course", "sn", str(tmp_path)])
    assert result.exit_code == 0, result.output
    import shutil

    from recosa_learn.content.parser import load_course
    shutil.copytree(EXAMPLE, tmp_path / "copy" / "example-course", ignore=shutil.ignore_patterns("adaptation.yaml"))
    shutil.copy(tmp_path / "example-course" / "adaptations" / "sn" / "adaptation.yaml",
                tmp_path / "copy" / "example-course" / "adaptations" / "sn" / "adaptation.yaml")
    doc, problems = load_course(tmp_path / "copy" / "example-course")
    assert not [p for p in problems if p.level == "error"], problems
    assert resolve(base, doc.adaptations[0]) == resolve(base, example_doc.adaptations[0])
    assert "base_hash" in (tmp_path / "example-course" / "adaptations" / "sn" / "adaptation.yaml").read_text()

    result = runner.invoke(args=["authoring", "status", "example-course", "sn"])
    assert result.exit_code == 0 and "conflict" not in result.output


def test_import_guard_lists_web_edits(imported, make_user, db, example_doc):
    admin = make_user("admin", None)
    version, _base = services.current_base(imported)
    assert drafts.import_diff(imported, example_doc) == []  # imported from files: nothing to protect
    draft = drafts.create_draft(imported, version, admin)
    from recosa_learn.content.services import load_version_tree
    tree = load_version_tree(draft.id)
    drafts.edit_texts(imported, tree, "basics", {("title", "fr"): "Les bases (web)"}, admin)
    drafts.submit_draft(tree, admin)
    drafts.publish_draft(imported, tree, admin)
    db.session.commit()
    assert drafts.web_edited(imported)
    assert drafts.import_diff(imported, example_doc) == ["~ basics (fr)"]


def test_question_edits_are_sanitized(imported, make_user, db):
    admin = make_user("admin", None)
    version, _base = services.current_base(imported)
    draft = drafts.create_draft(imported, version, admin)
    from recosa_learn.content.services import load_version_tree
    tree = load_version_tree(draft.id)
    drafts.edit_texts(imported, tree, "basics/check/q-place",
                      {("text", "fr"): "Où ? <script>alert(1)</script>", ("general_feedback", "en"): "<b onclick=x>Hi</b>"},
                      admin, points=2)
    drafts.edit_texts(imported, tree, "basics/check/q-place/dakar", {("text", "fr"): "<iframe src=x></iframe>Dakar"},
                      admin)
    question = drafts.find_item(tree, "basics/check/q-place")[1]
    assert question.points == 2
    rendered = str(question.rendered)
    assert "<script" not in rendered and "<b " not in rendered and "<iframe" not in rendered
    assert "&lt;script&gt;" in rendered  # shown as text, never run
    assert "Dakar" in rendered
