"""``flask content check`` reports each kind of mistake as ``file:line: message`` and exits 1."""
from __future__ import annotations

C = "example-course/course.yaml"
M = "example-course/basics/module.yaml"
Q = "example-course/basics/check.quiz.yaml"


def check(content, root, where: str, fragment: str) -> None:
    result = content("check", root)
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert any(line.startswith(where + ": ") and fragment in line for line in lines), result.output


def test_clean_tree_passes(content, example):
    result = content("check", example)
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_default_path_is_course_content_dir(app, content, example):
    app.config["COURSE_CONTENT_DIR"] = str(example)
    assert content("check").exit_code == 0
    (example / "example-course/course.yaml").write_text("key: [", encoding="utf-8")
    result = content("check")
    assert result.exit_code == 1 and result.output.startswith(f"{C}:"), result.output


def test_unknown_key(content, example, h):
    path = example / C
    h.edit(path, "duration_minutes: 30", "duration_minute: 30")
    check(content, example, f"{C}:{h.line_of(path, 'duration_minute')}", 'did you mean "duration_minutes"')


def test_missing_translation(content, example, h):
    path = example / Q
    h.edit(path, '      ar: "أين اعتُمد الميثاق العالمي؟"\n', "")
    check(content, example, f"{Q}:{h.line_of(path, 'key: q-place') + 2}", "missing translation ar")


def test_duplicate_key(content, example, h):
    path = example / Q
    h.edit(path, "  - key: q-members", "  - key: q-place")
    second = h.line_of(path, "key: q-place", after=h.line_of(path, "key: q-place"))
    check(content, example, f"{Q}:{second}", 'duplicate question key "q-place"')


def test_quiz_question_without_correct_answer(content, example, h):
    path = example / Q
    h.edit(path, "        correct: true\n      - key: dakar", "      - key: dakar")
    options = h.line_of(path, "options:", after=h.line_of(path, "key: q-place"))
    check(content, example, f"{Q}:{options}", "no correct answer")


def test_broken_image_link(content, example, h):
    path = example / "example-course/basics/words.en.md"
    h.edit(path, "(images/route.svg)", "(images/rout.svg)")
    check(content, example, f"example-course/basics/words.en.md:{h.line_of(path, 'rout.svg')}",
          'image "images/rout.svg" not found')


def test_pass_mark_out_of_range(content, example, h):
    path = example / Q
    h.edit(path, "pass_mark: 60", "pass_mark: 160")
    check(content, example, f"{Q}:1", '"pass_mark" of the quiz must be between 0 and 100')
    course = example / C
    h.edit(course, "pass_mark: 70", "pass_mark: -5")
    check(content, example, f"{C}:{h.line_of(course, 'pass_mark')}", "between 0 and 100")


def test_invalid_gift(content, example, h):
    path = example / "example-course/practice/bank.gift"
    h.edit(path, "{=Marrakech ~Bamako ~Abidjan}", "{~Marrakech ~Bamako ~Abidjan}")
    check(content, example, f"example-course/practice/bank.gift:{h.line_of(path, 'q-city')}", "no correct answer")


def test_import_refuses_a_broken_tree_and_writes_nothing(content, example, db, h):
    h.edit(example / C, "kind: training-model", "kind: training")
    before = h.table_counts(db)
    result = content("import", example)
    assert result.exit_code == 1
    assert f"{C}:2: unknown kind" in result.output and "nothing imported" in result.output
    assert h.table_counts(db) == before
