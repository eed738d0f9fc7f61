"""The three real courses in course_content/ are complete, teachable and checkable.

Each module has a lesson and a quiz, every graded question has a right answer, every lesson names its sources,
every required language is there, and each partner country has its adaptation.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from recosa_learn.content.parser import check_tree, load_course
from recosa_learn.quiz.scoring import correct_response, score_question

ROOT = Path(__file__).resolve().parents[2] / "course_content"
EXPECTED = {  # course key: (kind, at least this many modules)
    "sustainable-training-model": ("training-model", 8),
    "youth-awareness": ("youth-awareness", 5),
    "sport-integration": ("sport-integration", 4),
}


def _course(key):
    course, problems = load_course(ROOT / key)
    assert course is not None, problems
    return course


def _words(markdown: str) -> int:
    return len(re.findall(r"\w+", re.sub(r"[#*|>\-]", " ", markdown)))


def test_the_course_files_have_no_problem():
    problems = check_tree(ROOT)
    assert not problems, "\n".join(str(p) for p in problems)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_every_module_has_a_lesson_and_a_quiz_with_right_answers(key):
    kind, modules = EXPECTED[key]
    course = _course(key)
    assert course.kind == kind and len(course.modules) >= modules
    for module in course.modules:
        types = [activity.type for activity in module.activities]
        assert "lesson" in types and "quiz" in types, f"{key}/{module.key}: {types}"
        for activity in module.activities:
            if activity.type == "lesson":
                assert activity.sources, f"{key}/{module.key}/{activity.key} has no sources"
                for lang in course.required_languages:
                    assert activity.body.get(lang, "").strip(), f"{key}/{module.key}/{activity.key}: no {lang} text"
                continue
            graded = [q for q in activity.quiz.questions if q.type != "reflection"]
            assert graded, f"{key}/{module.key}/{activity.key}: a quiz without a graded question"
            for question in graded:
                for lang in course.required_languages:
                    assert question.text.get(lang, "").strip(), f"{question.key}: no {lang} text"
                result = score_question(question, correct_response(question))
                assert result.fraction == 1.0, f"{key}/{module.key}/{question.key}: no full-marks answer"


def test_training_model_modules_teach_enough():
    course = _course("sustainable-training-model")
    assert course.completion.pass_mark == 70 and course.completion.required == "all"
    for module in course.modules:
        words = sum(_words(a.body["fr"]) for a in module.activities if a.type == "lesson")
        assert 800 <= words, f"{module.key}: {words} words of French teaching"
        quiz = next(a for a in module.activities if a.type == "quiz")
        types = {q.type for q in quiz.quiz.questions}
        assert len(quiz.quiz.questions) >= 6 and len(types) >= 3, f"{module.key}: {len(quiz.quiz.questions)} {types}"


def test_youth_course_is_short_playful_and_trilingual():
    course = _course("youth-awareness")
    assert course.playful and set(course.required_languages) == {"fr", "en", "ar"}
    types = set()
    for module in course.modules:
        for activity in module.activities:
            if activity.type == "lesson":
                for lang in ("fr", "en", "ar"):
                    assert _words(activity.body[lang]) <= 330, f"{module.key}/{activity.key} ({lang}) is long"
            else:
                types |= {q.type for q in activity.quiz.questions}
    assert {"scenario", "matching", "true_false", "reflection"} <= types
    assert any(a.quiz and a.quiz.settings.mastery_correct for m in course.modules for a in m.activities)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_partner_country_has_an_adaptation(key):
    course = _course(key)
    assert sorted(a.country for a in course.adaptations) == ["CI", "MA", "ML", "SN"]
    for adaptation in course.adaptations:
        assert any(o.add is not None for o in adaptation.overrides), f"{key} {adaptation.country}: no local item"


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_arabic_titles_and_summaries_for_every_course(key):
    course = _course(key)
    assert course.title.get("ar") and course.summary.get("ar")
    for module in course.modules:
        assert module.title.get("ar"), f"{key}/{module.key}: no Arabic title"


def test_review_sheet_lists_the_figures():
    review = (ROOT / "REVIEW.md").read_text(encoding="utf-8")
    for figure in ("23,096", "Marrakech", "6 April", "PONAM", "BAOS"):
        assert figure.replace(",", "") in review.replace(",", "").replace(" ", " "), figure
