"""Where an adaptation stands after the base course changed: every case, through the Override rows."""
from __future__ import annotations

import copy

import pytest

from recosa_learn.authoring import adapt, services
from recosa_learn.content import overlay
from recosa_learn.content.paths import locate
from recosa_learn.quiz.model import Question


@pytest.fixture
def adaptation(course_row, base_doc, make_user):
    course, version = course_row
    trainer = make_user("trainer", "SN")
    item = services.create_adaptation(course, "SN", trainer, version, base_doc)
    # changed locally: the lesson's French text; the question's French text; a hidden option
    services.set_replacement(item, base_doc, "basics/words", "body", "fr", "## Au Sénégal\n\nLes BAOS.\n", trainer)
    services.set_replacement(item, base_doc, "basics/check/q-place", "text", "fr", "Où, au Sénégal ?", trainer)
    services.set_hidden(item, base_doc, "basics/check/q-members/morocco", True, trainer)
    services.add_local_lesson(item, base_doc, "basics/words", "sn-baos",
                              {"fr": "Les BAOS", "en": "The BAOS offices", "ar": "المكاتب"},
                              {"fr": "## Les BAOS\n", "en": "## The BAOS\n", "ar": "## المكاتب\n"}, ["DGASE 2021"],
                              trainer)
    return item


def statuses(report):
    return {item.path: item.status for item in report.items}


def test_nothing_changed(adaptation, base_doc):
    report = adapt.status_report(adaptation, base_doc)
    got = statuses(report)
    assert got["basics"] == overlay.UNTOUCHED  # untouched
    assert got["basics/words"] == overlay.LOCAL  # changed locally only
    assert got["basics/check/q-place"] == overlay.LOCAL
    assert got["basics/check/q-members/morocco"] == overlay.LOCAL
    assert got["basics/sn-baos"] == overlay.ADDED_LOCALLY  # added locally
    assert not report.conflicts and not report.orphans and not report.problems


def test_every_case_after_a_base_change(adaptation, base_doc):
    new = copy.deepcopy(base_doc)
    # changed upstream only (no override): the module title in English
    new.module("basics").title["en"] = "The basics, revised"
    # both changed: the lesson's French text
    new.activity("basics/words").body["fr"] += "\nUn paragraphe ajouté.\n"
    # changed upstream in a language the country did not replace: not a conflict
    locate(new, "basics/check/q-place").obj.text["en"] = "Where exactly?"
    # removed upstream while overridden
    member = locate(new, "basics/check/q-members")
    member.obj.options = [o for o in member.obj.options if o.key != "morocco"]
    # added upstream
    new.activity("basics/check").quiz.questions.append(
        Question(key="q-new", type="true_false", text={"fr": "Nouveau ?", "en": "New?", "ar": "جديد؟"}, answer=True))

    report = adapt.status_report(adaptation, new)
    got = statuses(report)
    assert got["basics"] == overlay.FOLLOWED
    assert got["basics/words"] == overlay.CONFLICT
    assert got["basics/check/q-place"] == overlay.LOCAL
    assert got["basics/check/q-members/morocco"] == overlay.ORPHANED
    assert got["basics/check/q-new"] == overlay.NEW
    assert got["basics/sn-baos"] == overlay.ADDED_LOCALLY
    assert got["basics/check/q-binding"] == overlay.UNTOUCHED
    assert [(r.target, r.field, r.lang) for r in report.conflicts] == [("basics/words", "body", "fr")]
    assert [(r.kind, r.target) for r in report.orphans] == [("hide", "basics/check/q-members/morocco")]


def test_resolving_a_conflict(adaptation, base_doc, db):
    new = copy.deepcopy(base_doc)
    new.activity("basics/words").body["fr"] += "\nUn paragraphe ajouté.\n"
    row = adapt.status_report(adaptation, new).conflicts[0]
    assert row.base_text == base_doc.activity("basics/words").body["fr"]  # the old base, for the three-way view

    services.resolve_conflict(adaptation, new, row, "merge", "## Au Sénégal\n\nFusion.\n", None)
    report = adapt.status_report(adaptation, new)
    assert not report.conflicts
    assert row.text == "## Au Sénégal\n\nFusion.\n" and row.resolved_at is not None
    assert row.base_text == new.activity("basics/words").body["fr"]

    newer = copy.deepcopy(new)
    newer.activity("basics/words").body["fr"] = "Tout nouveau."
    row = adapt.status_report(adaptation, newer).conflicts[0]
    services.resolve_conflict(adaptation, newer, row, "base", None, None)
    resolved = adapt.resolved_course(adaptation, newer)
    assert resolved.activity("basics/words").body["fr"] == "Tout nouveau."  # follows the base again

    from recosa_learn.accounts.models import AuditEvent
    actions = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]
    assert "adaptation.conflict.merge" in actions and "adaptation.conflict.base" in actions


def test_keep_mine(adaptation, base_doc):
    new = copy.deepcopy(base_doc)
    new.activity("basics/words").body["fr"] = "Autre."
    row = adapt.status_report(adaptation, new).conflicts[0]
    services.resolve_conflict(adaptation, new, row, "keep", None, None)
    assert not adapt.status_report(adaptation, new).conflicts
    assert adapt.resolved_course(adaptation, new).activity("basics/words").body["fr"].startswith("## Au Sénégal")


def test_resolved_course_applies_every_override(adaptation, base_doc):
    resolved = adapt.resolved_course(adaptation, base_doc)
    assert [a.key for a in resolved.module("basics").activities] == ["words", "sn-baos", "check"]
    assert resolved.activity("basics/words").body["en"] == base_doc.activity("basics/words").body["en"]
    members = locate(resolved, "basics/check/q-members").obj
    assert "morocco" not in [o.key for o in members.options]


def test_pass_mark_only_raised(adaptation, base_doc, app):
    with app.test_request_context(), pytest.raises(services.AuthoringError):
        services.set_quiz_settings(adaptation, base_doc, "basics/check", 50, None, False, None)
    services.set_quiz_settings(adaptation, base_doc, "basics/check", 80, 5, False, None)
    quiz = adapt.resolved_course(adaptation, base_doc).activity("basics/check").quiz
    assert quiz.settings.pass_mark == 80 and quiz.settings.attempts == 5


def test_file_round_trip(adaptation, base_doc, course_row):
    """Export as adaptation.yaml data, import it back: the same resolved course."""
    from recosa_learn.content.adaptfile import read_adaptation
    from recosa_learn.content.fields import Source
    from recosa_learn.content.writer import dump_yaml
    from recosa_learn.content.yamlsource import load_yaml

    data = services.adaptation_file_data(adaptation, base_doc)
    parsed, _ = load_yaml(dump_yaml(data))
    problems = []
    src = Source("a.yaml", problems, languages=("fr", "en", "ar"))
    from pathlib import Path
    doc = read_adaptation(src, parsed, base_doc, Path("/x/sn"), Path("/x"), Path("/x"))
    assert not problems, problems
    assert overlay.resolve(base_doc, doc) == adapt.resolved_course(adaptation, base_doc)
