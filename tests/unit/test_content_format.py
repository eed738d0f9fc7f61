"""The course format: every kind of mistake is reported at its file and line; hashes; the writer's fixed point."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from recosa_learn.content.hashing import item_hashes
from recosa_learn.content.parser import check_tree, load_course, load_tree, main
from recosa_learn.content.problems import WARNING
from recosa_learn.content.writer import write_course

DATA = Path(__file__).resolve().parents[1] / "data" / "courses"
EXAMPLE = DATA / "example-course"
COURSE_CONTENT = Path(__file__).resolve().parents[2] / "course_content"


@pytest.fixture
def tree(tmp_path) -> Path:
    """A copy of the example course to break."""
    shutil.copytree(EXAMPLE, tmp_path / "example-course")
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    """1-based line of the first line containing ``text``."""
    return next(i for i, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in row)


def reported(root: Path) -> list[str]:
    return [str(p) for p in check_tree(root)]


def assert_reported(root: Path, where: str, fragment: str) -> None:
    problems = reported(root)
    assert any(p.startswith(where + ": ") and fragment in p for p in problems), problems


C = "example-course/course.yaml"
M = "example-course/basics/module.yaml"
Q = "example-course/basics/check.quiz.yaml"
A = "example-course/adaptations/sn/adaptation.yaml"


def test_example_course_loads_without_problems():
    course, problems = load_course(EXAMPLE)
    assert problems == []
    assert [m.key for m in course.modules] == ["basics", "practice"]
    words, check = course.modules[0].activities
    assert set(words.body) == {"fr", "en", "ar"} and words.images == ["images/route.svg"]
    assert {q.type for q in check.quiz.questions} == {
        "single_choice", "multiple_response", "true_false", "short_answer", "numerical", "matching",
        "ordering", "fill_blanks", "scenario", "reflection"}
    members = next(q for q in check.quiz.questions if q.key == "q-members")
    assert [o.weight for o in members.options] == [50, 50, -50]
    bank = course.modules[1].activities[0]
    assert bank.format == "gift" and len(bank.quiz.questions) == 3 and bank.quiz.settings.pass_mark == 50
    assert course.adaptations[0].country == "SN" and len(course.adaptations[0].overrides) == 5


def test_yaml_syntax_error_has_its_line(tree):
    path = tree / M
    edit(path, "  - key: check\n", "  - key: check\n   bad: [unclosed\n")
    assert_reported(tree, f"{M}:{line_of(path, 'bad: [unclosed')}", "YAML syntax error")


def test_repeated_yaml_key(tree):
    path = tree / C
    edit(path, "playful: false\n", "playful: false\nplayful: true\n")
    assert_reported(tree, f"{C}:{line_of(path, 'playful: true')}", "repeated")


def test_unknown_key_suggests_the_right_one(tree):
    path = tree / C
    edit(path, "duration_minutes: 30", "duration_minute: 30")
    assert_reported(tree, f"{C}:{line_of(path, 'duration_minute')}", 'did you mean "duration_minutes"')


def test_missing_required_field(tree):
    path = tree / M
    edit(path, "    duration_minutes: 15\n", "")
    edit(path, "  - key: check\n    type: quiz\n", "  - key: check\n")
    assert_reported(tree, f"{M}:{line_of(path, 'key: check')}", 'missing required field "type"')


def test_missing_translation_of_required_language(tree):
    path = tree / Q
    edit(path, '      ar: "أين اعتُمد الميثاق العالمي؟"\n', "")
    assert_reported(tree, f"{Q}:{line_of(path, 'key: q-place') + 2}", "missing translation ar")


def test_course_title_needs_every_offered_language(tree):
    path = tree / C
    edit(path, "required_languages: [fr, en, ar]", "required_languages: [fr]")
    edit(path, '  ar: "مثال: الهجرة في غرب أفريقيا"\n', "")
    assert_reported(tree, f"{C}:{line_of(path, 'title:')}", "missing translation ar")


def test_duplicate_sibling_keys(tree):
    path = tree / Q
    edit(path, "  - key: q-members", "  - key: q-place")
    second = [i for i, row in enumerate(path.read_text().splitlines(), 1) if "key: q-place" in row][1]
    assert_reported(tree, f"{Q}:{second}", 'duplicate question key "q-place"')


def test_invalid_key_syntax(tree):
    path = tree / Q
    edit(path, "key: q-binding", "key: Q_Binding")
    assert_reported(tree, f"{Q}:{line_of(path, 'Q_Binding')}", 'invalid key "Q_Binding"')


def test_key_must_equal_folder_name(tree):
    edit(tree / C, "key: example-course", "key: other-course")
    assert_reported(tree, f"{C}:1", "must equal its folder name")
    edit(tree / M, "key: basics", "key: basic")
    assert_reported(tree, f"{M}:1", "must equal its folder name")


def test_unknown_kind_and_type(tree):
    edit(tree / C, "kind: training-model", "kind: training")
    assert_reported(tree, f"{C}:2", 'unknown kind "training"')
    path = tree / M
    edit(path, "type: quiz", "type: quizz")
    assert_reported(tree, f"{M}:{line_of(path, 'quizz')}", 'unknown type "quizz"')


@pytest.mark.parametrize("old, new, anchor, fragment", [
    ("        correct: true\n      - key: dakar", "      - key: dakar", "key: q-place", "no correct answer"),
    ("        weight: -50", "        weight: 10", "key: q-members", "add up to 110"),
    ("    answer: false\n", "", "key: q-binding", "no correct answer"),
])
def test_choice_questions_without_correct_answer(tree, old, new, anchor, fragment):
    path = tree / Q
    edit(path, old, new)
    start = line_of(path, anchor)
    if "q-binding" in anchor:
        line = start
    else:
        line = next(i for i, row in enumerate(path.read_text().splitlines(), 1) if i > start and "options:" in row)
    assert_reported(tree, f"{Q}:{line}", fragment)


def test_short_answer_and_numerical_without_full_answer(tree):
    path = tree / Q
    text = path.read_text()
    text = text.replace("        weight: 100\n", "        weight: 90\n")
    text = text.replace("      - value: 23\n        tolerance: 0\n        weight: 100\n",
                        "      - value: 23\n        tolerance: 0\n        weight: 80\n")
    path.write_text(text)
    rows = text.splitlines()
    short = next(i for i, r in enumerate(rows, 1) if i > line_of(path, "key: q-city") and "answers:" in r)
    numeric = next(i for i, r in enumerate(rows, 1) if i > line_of(path, "key: q-objectives") and "answers:" in r)
    assert_reported(tree, f"{Q}:{short}", "no correct answer")
    assert_reported(tree, f"{Q}:{numeric}", "no correct answer")


def test_fill_blanks_blank_without_correct_answer_and_marker_mismatch(tree):
    path = tree / Q
    edit(path, "            correct: true\n          - key: known", "          - key: known")
    edit(path, 'pas [[binding]]."', 'pas [[bindin]]."')
    blank = line_of(path, "      - key: binding")
    assert_reported(tree, f"{Q}:{blank + 1}", 'blank "binding" of question "q-blanks": no correct answer')
    text_line = line_of(path, "key: q-blanks") + 2
    assert_reported(tree, f"{Q}:{text_line}", "marker [[bindin]] that matches no blank")
    assert_reported(tree, f"{Q}:{text_line}", "the fr text has no [[binding]] marker")


def test_scenario_problems(tree):
    path = tree / Q
    edit(path, "            next: weak-end", "            next: nowhere")
    edit(path, "        weight: 100\n        debrief:", "        weight: 60\n        debrief:")
    nodes = line_of(path, "    nodes:")
    assert_reported(tree, f"{Q}:{line_of(path, 'next: nowhere')}", 'leads to unknown node "nowhere"')
    assert_reported(tree, f"{Q}:{nodes}", 'node "weak-end" cannot be reached from the start')
    assert_reported(tree, f"{Q}:{nodes}", "no reachable ending has weight 100")


def test_scenario_cycle_without_way_out(tree):
    path = tree / Q
    edit(path, "            next: good-end", "            next: ask-again")
    edit(path, "            next: weak-end", "            next: ask")
    nodes = line_of(path, "    nodes:")
    assert_reported(tree, f"{Q}:{nodes}", 'from node "ask" no ending can be reached')


def test_scenario_cycle_with_way_out_is_fine():
    assert check_tree(EXAMPLE) == []  # ask ⇄ ask-again loops, and both can still reach an ending


def test_broken_image_and_missing_alt_text(tree):
    path = tree / "example-course/basics/words.en.md"
    edit(path, "![A road between two towns](images/route.svg)", "![](images/route.svg) ![A map](images/map.png)")
    line = line_of(path, "images/map.png")
    assert_reported(tree, f"example-course/basics/words.en.md:{line}", 'image "images/map.png" not found')
    assert_reported(tree, f"example-course/basics/words.en.md:{line}", "has no description")


def test_quiz_settings_out_of_range(tree):
    path = tree / Q
    edit(path, "pass_mark: 60", "pass_mark: 160")
    edit(path, "attempts: 3", "attempts: 0")
    edit(path, "feedback: immediate\n", "feedback: immediate\nmastery: {correct: 5, of_last: 4}\n")
    assert_reported(tree, f"{Q}:1", '"pass_mark" of the quiz must be between 0 and 100')
    assert_reported(tree, f"{Q}:2", '"attempts" of the quiz must be a whole number ≥ 1 or "unlimited"')
    assert_reported(tree, f"{Q}:5", "cannot exceed")


def test_invalid_gift_reports_the_gift_line(tree):
    path = tree / "example-course/practice/bank.gift"
    edit(path, "{=Marrakech ~Bamako ~Abidjan}", "{~Marrakech ~Bamako ~Abidjan}")
    problems = [p for p in reported(tree) if p.startswith("example-course/practice/bank.gift:")]
    assert problems and all(p.startswith(f"example-course/practice/bank.gift:{line_of(path, 'q-city')}:")
                            for p in problems), problems


def test_lesson_without_sources_and_missing_language_file(tree):
    path = tree / M
    edit(path, "    sources:\n      - \"UN General Assembly, resolution 73/195, 19 December 2018\"\n"
               "      - \"ECOWAS Protocol A/P1/5/79 relating to free movement of persons, 1979\"\n", "")
    (tree / "example-course/basics/words.ar.md").unlink()
    line = line_of(path, "key: words")
    assert_reported(tree, f"{M}:{line}", 'missing required field "sources"')
    assert_reported(tree, f"{M}:{line}", "missing file basics/words.ar.md")


def test_completion_names_unknown_activity(tree):
    path = tree / C
    edit(path, "required: [basics/words, basics/check]", "required: [basics/words, basics/chek]")
    assert_reported(tree, f"{C}:{line_of(path, 'basics/chek')}", 'unknown activity "basics/chek"')


def test_orphan_files_are_warned_about(tree):
    (tree / "example-course/basics/word.fr.md").write_text("## Stray\n", encoding="utf-8")
    (tree / "example-course/basics/old.quiz.yaml").write_text("questions: []\n", encoding="utf-8")
    problems = check_tree(tree)
    assert {(p.file, p.level) for p in problems} == {
        ("example-course/basics/word.fr.md", WARNING), ("example-course/basics/old.quiz.yaml", WARNING)}


def test_readme_files_are_ignored(tree):
    (tree / "README.md").write_text("# Courses\n", encoding="utf-8")
    (tree / "example-course/REVIEW.md").write_text("# Review\n", encoding="utf-8")
    assert check_tree(tree) == []


def test_adaptation_country_and_folder(tree):
    path = tree / A
    edit(path, "country: SN", "country: ML")
    assert_reported(tree, f"{A}:1", 'country "ML" does not match the folder "sn"')
    (tree / "example-course/adaptations/xx").mkdir()
    (tree / "example-course/adaptations/xx/adaptation.yaml").write_text("country: XX\n")
    assert_reported(tree, "example-course/adaptations/xx/adaptation.yaml:1", "is not a country code")


def test_adaptation_targets_and_anchors_must_exist(tree):
    path = tree / A
    edit(path, "target: basics/check/q-reflect", "target: basics/check/q-gone")
    edit(path, "after: basics/words", "after: basics/wordz")
    assert_reported(tree, f"{A}:{line_of(path, 'q-gone')}", 'target "basics/check/q-gone" is not in the base')
    assert_reported(tree, f"{A}:{line_of(path, 'basics/wordz')}", '"after" names "basics/wordz"')


def test_adaptation_overrides_must_agree(tree):
    path = tree / A
    edit(path, "  - target: basics/check\n    settings: {pass_mark: 80, attempts: 5}",
         "  - target: basics/check\n    settings: {pass_mark: 50, attempts: 0}\n"
         "  - target: basics/check/q-reflect\n    replace: {text: {fr: \"Autre\"}}")
    assert_reported(tree, f"{A}:{line_of(path, 'pass_mark: 50')}", "pass_mark may only be raised")
    assert_reported(tree, f"{A}:{line_of(path, 'pass_mark: 50')}", '"attempts"')
    second = line_of(path, 'replace: {text: {fr: "Autre"}}') - 1
    assert_reported(tree, f"{A}:{second}", "both hidden and changed")


def test_adaptation_added_items_are_validated_like_base_items(tree):
    path = tree / A
    edit(path, "      key: sn-q1\n", "      key: q-place\n")
    edit(path, '        ar: "مكاتب الاستقبال والتوجيه والمتابعة"\n', "")
    assert_reported(tree, f"{A}:{line_of(path, 'key: q-place')}", 'key "q-place" is already used')
    title = line_of(path, 'fr: "Les BAOS"') - 1
    assert_reported(tree, f"{A}:{title}", "missing translation ar")


def test_cli_exit_status(tree, capsys):
    assert main([str(tree)]) == 0
    edit(tree / C, "kind: training-model", "kind: nothing")
    assert main([str(tree)]) == 1
    assert f"{C}:2: unknown kind" in capsys.readouterr().out


def test_hashes_are_stable_and_per_language(tree):
    before = item_hashes(load_course(tree / "example-course")[0])
    assert before == item_hashes(load_course(EXAMPLE)[0])
    assert all(len(h) == 16 for hashes in before.values() for h in hashes.values())
    assert before["basics/words"]["fr"] != before["basics/words"]["en"]
    edit(tree / "example-course/basics/words.fr.md", "23 objectifs", "vingt-trois objectifs")
    edit(tree / Q, 'text: {fr: "Dakar"', 'text: {fr: "Saint-Louis"')
    after = item_hashes(load_course(tree / "example-course")[0])
    changed = {(path, lang) for path in before for lang in before[path] if before[path][lang] != after[path][lang]}
    assert changed == {("basics/words", "fr"), ("basics/check/q-place/dakar", "fr")}


def test_writer_fixed_point_on_the_example(tmp_path):
    course, problems = load_course(EXAMPLE)
    written = write_course(course, tmp_path)
    again, problems_again = load_course(written)
    assert problems == problems_again == []
    assert again == course
    first = {p.relative_to(written): p.read_bytes() for p in written.rglob("*") if p.is_file()}
    rewritten = write_course(again, tmp_path / "second")
    second = {p.relative_to(rewritten): p.read_bytes() for p in rewritten.rglob("*") if p.is_file()}
    assert first == second


def test_writer_fixed_point_on_every_clean_shipped_course(tmp_path):
    courses, problems = load_tree(COURSE_CONTENT)
    broken = {p.file.split("/")[0] for p in problems}
    for course in courses:
        if course.key in broken:
            continue
        again, again_problems = load_course(write_course(course, tmp_path))
        assert again_problems == [] and again == course, course.key
