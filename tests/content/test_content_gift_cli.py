"""``flask content gift-import`` / ``gift-export``: Moodle question banks into a quiz and back."""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from recosa_learn.content.gift import parse_gift
from recosa_learn.content.models import Course, CourseVersion
from recosa_learn.content.services import current_version, load_version_tree

ROOT = Path(__file__).resolve().parents[2]
CONFORMANCE = ROOT.parent / "shared" / "conformance" / "gift"
BANKS = [(ROOT / "tests/data/gift/migration-fr.gift", "fr"), (ROOT / "tests/data/gift/migration-ar.gift", "ar"),
         (CONFORMANCE / "moodle-examples.gift.txt", "fr"), (CONFORMANCE / "moodle-fixture-questions.gift.txt", "fr")]


@pytest.fixture
def imported(content, h):
    result = content("import", h.EXAMPLE_TREE)
    assert result.exit_code == 0, result.output


def versions(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(CourseVersion))


@pytest.mark.parametrize("bank, lang", BANKS, ids=[p.name for p, _ in BANKS])
def test_gift_import_then_export_gives_the_same_questions(content, db, imported, tmp_path, bank, lang):
    if not bank.is_file():
        pytest.skip(f"{bank} is missing")
    result = content("gift-import", bank, "--course", "example-course", "--quiz", "basics/check", "--lang", lang)
    assert result.exit_code == 0, result.output
    expected = parse_gift(bank.read_text(encoding="utf-8"), lang).questions
    assert f"{len(expected)} question(s) created" in result.output or "created" in result.output
    out = tmp_path / "out.gift"
    result = content("gift-export", "--course", "example-course", "--quiz", "check", "--lang", lang, "--out", out)
    assert result.exit_code == 0, result.output
    assert parse_gift(out.read_text(encoding="utf-8"), lang).questions == expected

    course = db.session.scalar(sa.select(Course).where(Course.key == "example-course"))
    base = load_version_tree(current_version(course, None).id)
    assert base.number == 2 and course.source_hash is None
    check = next(a for m in base.modules for a in m.activities if a.path == "basics/check")
    assert check.settings["format"] == "gift" and check.settings["gift_language"] == lang
    assert all(q.rendered.get("text") for q in check.questions if q.text)
    senegal = current_version(course, "SN")
    assert senegal.number == 2 and senegal.base_version_id == base.id


def test_gift_export_to_stdout_and_reimport_of_the_files_restores_them(content, db, imported, h):
    result = content("gift-export", "--course", "example-course", "--quiz", "practice/bank")
    assert result.exit_code == 0 and "::q-city::" in result.output
    content("gift-import", h.GIFT_DATA / "migration-fr.gift", "--course", "example-course", "--quiz", "practice/bank")
    result = content("import", h.EXAMPLE_TREE)
    assert result.exit_code == 0
    assert "example-course                   changed" in result.output


def test_invalid_gift_is_refused_with_its_line(content, db, imported, tmp_path):
    bank = tmp_path / "bad.gift"
    bank.write_text("// a comment\n\n::q1::Une question ? {~a ~b ~c}\n", encoding="utf-8")
    before = versions(db)
    result = content("gift-import", bank, "--course", "example-course", "--quiz", "basics/check")
    assert result.exit_code == 1
    assert f"{bank}:3: " in result.output and "no correct answer" in result.output
    assert "nothing imported" in result.output and versions(db) == before


@pytest.mark.parametrize("args, message", [
    (["--course", "nope", "--quiz", "basics/check"], 'unknown course "nope"'),
    (["--course", "example-course", "--quiz", "basics/nope"], 'unknown quiz "basics/nope"'),
    (["--course", "example-course", "--quiz", "basics/words"], "is a lesson, not a quiz"),
    (["--course", "example-course", "--quiz", "basics/check", "--lang", "de"], 'language "de" is not offered'),
])
def test_clear_messages_for_unknown_keys(content, db, imported, h, args, message):
    before = versions(db)
    result = content("gift-import", h.GIFT_DATA / "migration-fr.gift", *args)
    assert result.exit_code == 1 and message in result.output, result.output
    assert versions(db) == before
    result = content("gift-export", *args)
    assert result.exit_code == 1 and message in result.output, result.output


def test_gift_export_refuses_questions_gift_cannot_express(content, imported):
    result = content("gift-export", "--course", "example-course", "--quiz", "basics/check")
    assert result.exit_code == 1 and "no GIFT equivalent" in result.output


def test_export_of_an_unknown_course(content, tmp_path):
    result = content("export", "nope", tmp_path)
    assert result.exit_code == 1 and 'unknown course "nope"' in result.output
