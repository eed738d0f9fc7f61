"""GIFT import checked question by question against Moodle's own example files (kept in shared/, beside the checkout).

Every question of both files is spelled out as the ``Question`` Moodle's semantics give, then written back and
read again to check the round trip is a fixed point.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from recosa_learn.content.gift import parse_gift, write_gift
from recosa_learn.quiz.model import Blank, Choice, NumericAnswer, Pair, Question, TextAnswer

CONFORMANCE = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "gift"
EXAMPLES = "moodle-examples.gift.txt"
FIXTURES = "moodle-fixture-questions.gift.txt"


def read(name: str) -> str:
    path = CONFORMANCE / name
    if not path.is_file():
        reason = f"GIFT conformance file {path} is missing (shared/ is expected beside the checkout)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path.read_text(encoding="utf-8")


def fr(text: str) -> dict[str, str]:
    return {"fr": text} if text else {}


def opts(*specs) -> list[Choice]:
    """Options from ``(text, weight[, feedback])``, keyed a, b, c…"""
    return [Choice(chr(97 + i), fr(spec[0]), float(spec[1]), fr(spec[2] if len(spec) > 2 else ""))
            for i, spec in enumerate(specs)]


def texts(*specs) -> list[TextAnswer]:
    """Typed answers from ``(text, weight[, feedback])``."""
    return [TextAnswer(fr(spec[0]), float(spec[1]), fr(spec[2] if len(spec) > 2 else "")) for spec in specs]


def sc(key, text, options, title="", general=""):
    return Question(key=key, type="single_choice", text=fr(text), title=title, general_feedback=fr(general),
                    options=options)


def mr(key, text, options, title=""):
    return Question(key=key, type="multiple_response", text=fr(text), title=title, options=options)


def tf(key, text, answer, feedback_true="", feedback_false="", title="", general=""):
    return Question(key=key, type="true_false", text=fr(text), title=title, answer=answer,
                    feedback_true=fr(feedback_true), feedback_false=fr(feedback_false), general_feedback=fr(general))


def sa(key, text, answers, title=""):
    return Question(key=key, type="short_answer", text=fr(text), title=title, answers=answers)


def num(key, text, answers, title=""):
    return Question(key=key, type="numerical", text=fr(text), title=title, numeric_answers=answers)


def match(key, text, pairs, title=""):
    return Question(key=key, type="matching", text=fr(text), title=title,
                    pairs=[Pair(chr(97 + i), fr(p), fr(a)) for i, (p, a) in enumerate(pairs)])


def blank_choice(key, text, options, title=""):
    return Question(key=key, type="fill_blanks", text=fr(text), title=title, blanks=[Blank("b1", options=options)])


def blank_typed(key, text, answers, title=""):
    return Question(key=key, type="fill_blanks", text=fr(text), title=title, blanks=[Blank("b1", answers=answers)])


GRANT = "Who's buried in Grant's tomb?"
GRANT_BLANK = "Grant is [[b1]] in Grant's tomb."
BURIED = opts(("buried", 0), ("entombed", 100), ("living", 0))
GRANT_MC = opts(("Grant", 0), ("Jefferson", 0), ("no one", 100))
NO_ONE = texts(("no one", 100), ("nobody", 100))
NO_ONE_FB = texts(("no one", 100, "excellent answer!"), ("nobody", 100, "excellent answer!"))
THANKSGIVING = opts(("second", 0), ("third", 0), ("fourth", 100))
BORN = "When was Ulysses S. Grant born?"
TWO_PEOPLE = "What two people are entombed in Grant's tomb?"
PI = r"What is the value of pi (to 3 decimal places)? \_\_\_\_\_."
COUNTRIES = [("Canada", "Ottawa"), ("Italy", "Rome"), ("Japan", "Tokyo")]
NAZARETH = texts(("Nazareth", 100, "Yes! That's right!"), ("Nazereth", 75, "Right, but misspelled."),
                 ("Bethlehem", 25, "He was born here, but not raised here."))
CONTROL = "is a control character."

EXPECTED_EXAMPLES = [
    # Examples from the class description.
    sc("q1", GRANT, GRANT_MC),
    blank_choice("q2", GRANT_BLANK, BURIED),
    tf("q3", "Grant is buried in Grant's tomb.", False),
    sa("q4", GRANT, NO_ONE),
    num("q5", BORN, [NumericAnswer(value=1822, tolerance=1)]),
    # Examples from the documentation: multiple choice.
    sc("q6", GRANT, GRANT_MC),
    blank_choice("q7", GRANT_BLANK, BURIED),
    blank_choice("q8", "The American holiday of Thanksgiving is celebrated on the [[b1]] Thursday of November.",
                 THANKSGIVING),
    sc("q9", "Japanese characters originally came from what country?",
       opts(("India", 0), ("China", 100), ("Korea", 0), ("Egypt", 0))),
    # Short answer ("Two plus two equals {…}." has text after the answers: a typed blank).
    sa("q10", GRANT, NO_ONE),
    blank_typed("q11", "Two plus two equals [[b1]].", texts(("four", 100), ("4", 100))),
    # True-false.
    tf("q12", "Grant is buried in Grant's tomb.", False),
    tf("q13", "The sun rises in the east.", True),
    # Matching.
    match("q14", "Matching Question.", [("subquestion1", "subanswer1"), ("subquestion2", "subanswer2"),
                                        ("subquestion3", "subanswer3")]),
    match("q15", "Match the following countries with their corresponding capitals.",
          COUNTRIES + [("India", "New Delhi")]),
    # Numerical; the "." after "}" keeps Moodle's blank in the text.
    num("q16", BORN, [NumericAnswer(value=1822)]),
    num("q17", PI, [NumericAnswer(value=3.1415, tolerance=0.0005)]),
    num("q18", PI, [NumericAnswer(min=3.141, max=3.142)]),
    num("q19", BORN, [NumericAnswer(value=1822, tolerance=0), NumericAnswer(value=1822, tolerance=2, weight=50)]),
    num("q20", "What's 2 plus 2?", [NumericAnswer(value=4)]),
    # Question names.
    sa("kanji-origins", "Japanese characters originally\ncame from what country?", texts(("China", 100)),
       title="Kanji Origins"),
    blank_choice("thanksgiving-date", "The American holiday of Thanksgiving is\ncelebrated on the [[b1]] Thursday of "
                 "November.", THANKSGIVING, title="Thanksgiving Date"),
    # Feedback.
    sc("q23", "What's the answer to this multiple-choice question?",
       opts(("wrong answer", 0, "feedback comment on the wrong answer"),
            ("another wrong answer", 0, "feedback comment on this wrong answer"),
            ("right answer", 100, "Very good!"))),
    sa("q24", GRANT, NO_ONE_FB),
    # Text format: the Markdown is kept.
    sa("q25", "Who's buried in **Grant's tomb**?", NO_ONE_FB),
    # Percentage weights.
    tf("q26", "Grant is buried in Grant's tomb.", False, feedback_true="No one is buried in Grant's tomb."),
    sc("q27", "Difficult question.", opts(("wrong answer", 0), ("half credit answer", 50),
                                          ("full credit answer", 100))),
    blank_choice("jesus-hometown", "Jesus Christ was from [[b1]].",
                 opts(("Jerusalem", 0, "This was an important city, but the wrong answer."),
                      ("Bethlehem", 25, "He was born here, but not raised here."),
                      ("Galilee", 50, "You need to be more specific."), ("Nazareth", 100, "Yes! That's right!")),
                 title="Jesus' hometown"),
    sa("jesus-hometown-2", "Jesus Christ was from", NAZARETH, title="Jesus' hometown"),
    # Multiple answers.
    mr("q30", TWO_PEOPLE, opts(("No one", 0), ("Grant", 50), ("Grant's wife", 50), ("Grant's father", 0))),
    mr("q31", TWO_PEOPLE, opts(("No one", -50), ("Grant", 50), ("Grant's wife", 50), ("Grant's father", -50))),
    # Special characters.
    sc("q32", "Which answer equals 5?", opts(("= 2 + 2", 0), ("= 2 + 3", 100), ("= 2 + 4", 0))),
    sc("gift-control-characters", "Which of the following is NOT a control character for the GIFT import format?",
       opts(("\\~", 0, f"\\~ {CONTROL}"), ("=", 0, f"= {CONTROL}"), ("\\#", 0, f"\\# {CONTROL}"),
            ("{", 0, f"{{ {CONTROL}"), ("}", 0, f"}} {CONTROL}"),
            ("\\\\", 100, "Correct! \\\\ (backslash) is not a control character. BUT,\n"
                          "              it is used to escape the control characters. So, to specify\n"
                          "              a literal backslash, you must escape it with a backslash\n"
                          "              (as shown in this example).")),
       title="GIFT Control Characters"),
    # Examples from gift/format.php.
    sc("q34", GRANT, GRANT_MC),
    blank_choice("q35", GRANT_BLANK, BURIED),
    tf("q36", "Grant is buried in Grant's tomb.", False),
    sa("q37", GRANT, NO_ONE),
    num("q38", BORN, [NumericAnswer(value=1822, tolerance=5)]),
    match("q39", "Match the following countries with their corresponding\ncapitals.", COUNTRIES),
    # More complicated examples.
    blank_choice("grant-s-tomb", GRANT_BLANK, opts(("buried", 0, "No one is buried there."),
                                                   ("entombed", 100, "Right answer!"), ("living", 0, "We hope not!")),
                 title="Grant's Tomb"),
    sc("q41", "Difficult multiple choice question.", opts(("wrong answer", 0, "comment on wrong answer"),
                                                          ("half credit answer", 50, "comment on answer"),
                                                          ("full credit answer", 100, "well done!"))),
    blank_typed("jesus-hometown-short-answer-ex", "Jesus Christ was from [[b1]].", NAZARETH,
                title="Jesus' hometown (Short answer ex.)"),
    num("numerical-example", BORN, [
        NumericAnswer(value=1822, tolerance=0, feedback=fr("Correct! 100% credit")),
        NumericAnswer(value=1822, tolerance=2, weight=50,
                      feedback=fr("He was born in 1822.\n                  You get 50% credit for being close."))],
        title="Numerical example"),
]

SPECTRUM = "What's between orange and green in the spectrum?"
EXPECTED_FIXTURES = [
    Question(key="q8", type="reflection", text=fr("How are you?"), title="Q8", points=0.0),
    # [html] question text kept as HTML; each left side has its own format; "= -> Chat" is a distractor.
    match("moodle-activities", "Match the <b>activity</b> to the description.", [
        ("An activity supporting asynchronous discussions.", "Forum"),
        ("A teacher asks a question and specifies a choice of multiple responses.", "Choice"),
        ("A bank of record entries which participants can add to.", "Database"),
        ("A collection of web pages that anyone can add to or edit.", "Wiki"),
        ("", "Chat")], title="Moodle activities"),
    sc("q2", SPECTRUM, opts(("yellow", 100, "right; good!"), ("red", 0, "wrong, it's yellow"),
                            ("blue", 0, "wrong, it's yellow")), title="Q2"),
    mr("colours", SPECTRUM, opts(("yellow", 50, "right; good!"), ("red", -100, "wrong"),
                                 ("off-beige", 50, "right; good!"), ("blue", -100, "wrong")), title="colours"),
    # '";' after the closing brace is text after the answers: Moodle puts its blank there and keeps the rest.
    num("q5", 'What is a number from 1 to 5? \\_\\_\\_\\_\\_";',
        [NumericAnswer(value=3, tolerance=2), NumericAnswer(weight=0, feedback=fr("Completely wrong"))], title="Q5"),
    sa("shortanswer", "Which is the best animal?", texts(("Frog", 100, "Good!"),
                                                        ("Cat", 50, "What is it with Moodlers and cats?"),
                                                        ("*", 0, "Completely wrong")), title="Shortanswer"),
    tf("q1", '42 is the Absolute Answer to everything.\\_\\_\\_\\_\\_";', False,
       feedback_true="42 is the Ultimate Answer.", feedback_false="You gave the right answer.", title="Q1",
       general="This is, of course, a Hitchiker's Guide to the Galaxy reference."),
    # The same title twice gives two keys.
    tf("2-08-tsl", "TSL is blablabla.", True, title="2-08 TSL"),
    tf("2-08-tsl-2", "TSL is blablabla.", True, title="2-08 TSL"),
]

CASES = [(EXAMPLES, EXPECTED_EXAMPLES), (FIXTURES, EXPECTED_FIXTURES)]


@pytest.mark.parametrize("name, expected", CASES, ids=["examples", "fixtures"])
def test_every_question_reads_as_moodle_means_it(name, expected):
    result = parse_gift(read(name))
    assert result.problems == []
    assert [q.key for q in result.questions] == [q.key for q in expected]
    for got, want in zip(result.questions, expected, strict=True):
        assert got == want, want.key


@pytest.mark.parametrize("name, expected", CASES, ids=["examples", "fixtures"])
def test_round_trip_is_a_fixed_point(name, expected):
    questions = parse_gift(read(name)).questions
    written = write_gift(questions)
    again = parse_gift(written)
    assert again.problems == []
    assert again.questions == questions
    assert write_gift(again.questions) == written


def test_fixture_true_false_feedback_follows_rightness():
    q1 = parse_gift(read(FIXTURES)).questions[6]
    # {FALSE#42 is the Ultimate Answer.#You gave the right answer.}: the first feedback is for a wrong answer.
    assert q1.answer is False
    assert q1.feedback_true == fr("42 is the Ultimate Answer.")
    assert q1.feedback_false == fr("You gave the right answer.")
