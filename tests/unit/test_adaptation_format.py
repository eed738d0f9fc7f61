"""Country adaptations: the resolved course a country sees, and each item's status after the base changed."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest

from recosa_learn.content.documents import AdaptationDoc, Override
from recosa_learn.content.hashing import item_hashes
from recosa_learn.content.overlay import (
    ADDED_LOCALLY,
    CONFLICT,
    FOLLOWED,
    LOCAL,
    NEW,
    ORPHANED,
    UNTOUCHED,
    resolve,
    upstream_status,
)
from recosa_learn.content.parser import load_course
from recosa_learn.quiz.model import Choice

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "courses" / "example-course"


@pytest.fixture
def base():
    course, problems = load_course(EXAMPLE)
    assert problems == []
    return course


@pytest.fixture
def senegal(base):
    return base.adaptations[0]


def keys(items):
    return [item.key for item in items]


def test_resolve_applies_every_kind_of_override(base, senegal):
    course = resolve(base, senegal)
    basics = course.module("basics")
    assert keys(basics.activities) == ["words", "sn-baos", "check"]
    questions = course.activity("basics/check").quiz.questions
    assert "q-reflect" not in keys(questions)
    assert keys(questions)[2:4] == ["q-binding", "sn-q1"]
    assert course.activity("basics/check").quiz.settings.pass_mark == 80
    assert course.activity("basics/check").quiz.settings.attempts == 5
    words = course.activity("basics/words")
    assert words.body["fr"].startswith("## Au Sénégal")
    assert words.body["en"] == base.activity("basics/words").body["en"]  # other languages follow the base
    assert course.title["fr"].endswith("(Sénégal)") and course.title["en"] == base.title["en"]


def test_resolve_leaves_the_base_untouched(base, senegal):
    before = copy.deepcopy(base)
    resolve(base, senegal)
    assert base == before


def test_resolve_drops_hidden_activities_from_completion(base):
    adaptation = AdaptationDoc(country="ML", overrides=[Override(target="basics/words", hide=True)])
    course = resolve(base, adaptation)
    assert keys(course.module("basics").activities) == ["check"]
    assert course.completion.required == ["basics/check"]


def test_resolve_skips_overrides_whose_target_is_gone(base):
    adaptation = AdaptationDoc(country="CI", overrides=[
        Override(target="basics/gone", replace={"title": {"fr": "X"}}),
        Override(after="basics/gone", add=copy.deepcopy(base.activity("basics/words")))])
    assert resolve(base, adaptation).modules == base.modules


def test_base_items_added_later_are_followed_automatically(base, senegal):
    new_base = copy.deepcopy(base)
    new_base.activity("basics/check").quiz.questions[0].options.append(
        Choice(key="bamako", text={"fr": "Bamako", "en": "Bamako", "ar": "باماكو"}))
    resolved = resolve(new_base, senegal)
    assert "bamako" in keys(resolved.activity("basics/check").quiz.questions[0].options)


def statuses(old_hashes, new_base, adaptation) -> dict[str, tuple[str, list[str]]]:
    return {s.path: (s.status, s.languages) for s in upstream_status(old_hashes, new_base, adaptation)}


def test_nothing_changed(base, senegal):
    result = statuses(item_hashes(base), base, senegal)
    assert result["basics/check/q-place"] == (UNTOUCHED, [])
    assert result["basics/words"] == (LOCAL, [])
    assert result["basics/check/q-reflect"] == (LOCAL, [])
    assert result["basics/sn-baos"] == (ADDED_LOCALLY, [])
    assert result["basics/check/sn-q1"] == (ADDED_LOCALLY, [])


def test_changed_upstream_only_is_followed(base, senegal):
    old = item_hashes(base)
    new_base = copy.deepcopy(base)
    new_base.activity("basics/check").quiz.questions[0].text["en"] = "Where was it adopted?"
    assert statuses(old, new_base, senegal)["basics/check/q-place"] == (FOLLOWED, ["en"])


def test_changed_upstream_in_a_language_the_country_replaced_is_a_conflict(base, senegal):
    old = item_hashes(base)
    new_base = copy.deepcopy(base)
    new_base.activity("basics/words").body["fr"] += "\nUne phrase de plus.\n"
    assert statuses(old, new_base, senegal)["basics/words"] == (CONFLICT, ["fr"])


def test_changed_upstream_in_a_language_the_country_did_not_replace_is_no_conflict(base, senegal):
    old = item_hashes(base)
    new_base = copy.deepcopy(base)
    new_base.activity("basics/words").body["en"] += "\nOne more sentence.\n"
    assert statuses(old, new_base, senegal)["basics/words"] == (LOCAL, [])


def test_base_hash_written_in_the_override_wins(base, senegal):
    hashes = item_hashes(base)
    adaptation = copy.deepcopy(senegal)
    adaptation.overrides[0].base_hash = {"fr": "0123456789abcdef"}  # written against an older base text
    assert statuses(hashes, base, adaptation)["basics/words"] == (CONFLICT, ["fr"])
    adaptation.overrides[0].base_hash = {"fr": hashes["basics/words"]["fr"]}
    assert statuses(hashes, base, adaptation)["basics/words"] == (LOCAL, [])


def test_hidden_item_changed_upstream_is_a_conflict(base, senegal):
    old = item_hashes(base)
    new_base = copy.deepcopy(base)
    new_base.activity("basics/check").quiz.questions[-1].text["ar"] = "سؤال جديد"
    assert statuses(old, new_base, senegal)["basics/check/q-reflect"] == (CONFLICT, ["ar"])


def test_removed_upstream_orphans_the_override(base, senegal):
    old = item_hashes(base)
    new_base = copy.deepcopy(base)
    quiz = new_base.activity("basics/check").quiz
    quiz.questions = [q for q in quiz.questions if q.key != "q-reflect"]
    assert statuses(old, new_base, senegal)["basics/check/q-reflect"] == (ORPHANED, [])


def test_added_upstream_is_new(base, senegal):
    old = item_hashes(base)
    new_base = copy.deepcopy(base)
    new_base.activity("basics/check").quiz.questions[0].options.append(
        Choice(key="bamako", text={"fr": "Bamako", "en": "Bamako", "ar": "باماكو"}))
    assert statuses(old, new_base, senegal)["basics/check/q-place/bamako"] == (NEW, ["ar", "en", "fr"])


# --- items added first in a module or a quiz ("first_in") ------------------------------------------------------

def _question(key: str, text: str = "Question locale"):
    from recosa_learn.quiz.model import Question

    return Question(key=key, type="true_false", text={"fr": text}, answer=True)


def test_first_in_puts_items_at_the_start_in_file_order(base):
    lesson = copy.deepcopy(base.activity("basics/words"))
    lesson.key = "ma-intro"
    adaptation = AdaptationDoc(country="MA", overrides=[
        Override(first_in="basics/check", add=_question("ma-1")),
        Override(first_in="basics/check", add=_question("ma-2")),
        Override(after="basics/check/ma-1", add=_question("ma-1b")),
        Override(first_in="basics", add=lesson),
        Override(first_in="basics/words", add=_question("nowhere")),  # a lesson holds no question: skipped
        Override(target="basics/check/q-place", hide=True)])
    course = resolve(base, adaptation)
    questions = keys(course.activity("basics/check").quiz.questions)
    assert questions[:3] == ["ma-1", "ma-1b", "ma-2"] and "q-place" not in questions
    assert keys(course.module("basics").activities) == ["ma-intro", "words", "check"]
    result = statuses(item_hashes(base), base, adaptation)
    assert result["basics/check/ma-2"] == (ADDED_LOCALLY, []) and result["basics/ma-intro"] == (ADDED_LOCALLY, [])


def test_added_path_of_each_anchor(base):
    from recosa_learn.content.overlay import added_path

    assert added_path(Override(first_in="basics/check", add=_question("x"))) == "basics/check/x"
    assert added_path(Override(after="basics/check/q-place", add=_question("x"))) == "basics/check/x"
    assert added_path(Override(after="basics", add=copy.deepcopy(base.module("practice")))) == "practice"
    assert added_path(Override(target="basics/words", hide=True)) is None


@pytest.fixture
def tree(tmp_path):
    import shutil

    shutil.copytree(EXAMPLE, tmp_path / "example-course")
    return tmp_path / "example-course"


def _with_overrides(tree, text: str):
    path = tree / "adaptations" / "sn" / "adaptation.yaml"
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    return load_course(tree)


def test_first_in_is_read_written_and_read_again(tree, tmp_path):
    from recosa_learn.content.writer import write_course

    course, problems = _with_overrides(tree, (
        "  - first_in: basics/check\n"
        "    add: {key: sn-q0, type: reflection,\n"
        "          text: {fr: \"Qu'en pensez-vous ?\", en: \"Thoughts?\", ar: \"رأيك؟\"}}\n"
        "  - first_in: practice\n"
        "    add: {key: sn-intro, type: lesson, title: {fr: Intro, en: Intro, ar: مقدمة}, sources: [DGASE],\n"
        "          body: {fr: Texte, en: Text, ar: نص}}\n"))
    assert problems == []
    added = [o for o in course.adaptations[0].overrides if o.first_in]
    assert [(o.first_in, o.add.key) for o in added] == [("basics/check", "sn-q0"), ("practice", "sn-intro")]
    again, problems = load_course(write_course(course, tmp_path / "written"))
    assert problems == [] and again == course
    resolved = resolve(course, course.adaptations[0])
    assert keys(resolved.activity("basics/check").quiz.questions)[0] == "sn-q0"
    assert keys(resolved.module("practice").activities)[0] == "sn-intro"


@pytest.mark.parametrize(("entry", "fragment"), [
    ("  - first_in: basics/words\n    add: {key: x, type: reflection, text: {fr: X}}\n",
     '"first_in" names a module or a quiz'),
    ("  - first_in: basics/gone\n    add: {key: x, type: reflection, text: {fr: X}}\n",
     '"first_in" names "basics/gone", which is not in the course'),
    ("  - first_in: basics/check\n    add: {key: q-place, type: reflection, text: {fr: X}}\n",
     'key "q-place" is already used'),
    ("  - first_in: basics/check\n    after: basics/check/q-place\n"
     "    add: {key: x, type: reflection, text: {fr: X}}\n", 'an override needs one of "target"'),
])
def test_first_in_mistakes_are_reported(tree, entry, fragment):
    _course, problems = _with_overrides(tree, entry)
    assert any(fragment in p.message for p in problems), problems


def test_reconstructed_adaptation_keeps_items_added_first(base):
    from recosa_learn.content.exporter import reconstruct_adaptation

    adaptation = AdaptationDoc(country="MA", overrides=[Override(first_in="basics/check", add=_question("ma-0"))])
    country = resolve(base, adaptation)
    rebuilt = reconstruct_adaptation(base, country, "MA")
    assert [(o.first_in, o.add.key) for o in rebuilt.overrides if o.add] == [("basics/check", "ma-0")]
    assert resolve(base, rebuilt) == country
