"""Learners in headless Chromium: enrol, read in Arabic, play a scenario, fail then pass, finish a course, get and
check the certificate; and a whole quiz with JavaScript off.

The right answers come from the course files themselves (``course_content/``, resolved for the learner's country
the way the importer publishes it) through the scoring engine's ``correct_response``. A page never says which
option is which (choices are position tokens, shuffled per attempt), so the robot finds each option by its text,
as a person would.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the browser fixture skips every test then
    PlaywrightTimeout = TimeoutError

from recosa_learn.content.importer import render_question
from recosa_learn.content.overlay import resolve
from recosa_learn.content.parser import load_course
from recosa_learn.quiz.model import Question
from recosa_learn.quiz.scoring import correct_response

pytestmark = pytest.mark.browser

CONTENT = Path(__file__).resolve().parents[2] / "course_content"
ARABIC = re.compile(r"[\u0600-\u06FF]{3,}")
YOUTH = "youth-awareness"
#: learner email → code of the certificate earned in this session (for the tests that follow the journey)
CERTIFICATES: dict[str, str] = {}


# --- the answer key, from the course files ---------------------------------------------------------------------

@lru_cache(maxsize=8)
def course_doc(key: str, country: str | None = None):
    """The course as the learners of ``country`` get it (the base course, plus that country's adaptation)."""
    doc, problems = load_course(CONTENT / key, CONTENT)
    assert doc is not None and not [p for p in problems if p.level == "error"], problems
    adaptation = next((a for a in doc.adaptations if a.country == country), None)
    return resolve(doc, adaptation) if adaptation is not None else doc


def quiz_of(doc, path: str):
    module_key, _sep, activity_key = path.partition("/")
    module = next(m for m in doc.modules if m.key == module_key)
    return next(a for a in module.activities if a.key == activity_key).quiz


def squash(text: str) -> str:
    """Text without tags, entities or any whitespace: how a label's textContent compares to the source HTML."""
    return "".join(html.unescape(re.sub(r"<[^>]+>", "", text or "")).split())


class Key:
    """One question with its display texts (rendered as at import) in the page's language."""

    def __init__(self, q: Question, lang: str, fallback: str = "fr") -> None:
        self.q, self.lang, self.fallback = q, lang, fallback
        self.rendered = render_question(q)

    def text(self, texts: dict) -> str:
        return squash(texts.get(self.lang) or texts.get(self.fallback) or "")

    def part(self, *path: Any) -> str:
        node: Any = self.rendered
        for step in path:
            node = node.get(step, {}) if isinstance(node, dict) else {}
        return self.text(node)


def question_on(page, keys: list[Key]) -> Key:
    """Which question the page shows: by its text, or (fill in the blanks) by the names of its blanks."""
    blanks = set(page.locator("main [name^=blank-]").evaluate_all("els => els.map(e => e.name.slice(6))"))
    if blanks:
        return next(k for k in keys if k.q.type == "fill_blanks" and {b.key for b in k.q.blanks} == blanks)
    shown = squash(page.locator("#q-text").text_content())
    found = [k for k in keys if k.part("text") and k.part("text") in shown]
    assert found, f"no question of the quiz matches {shown[:80]!r}"
    return max(found, key=lambda k: len(k.part("text")))


def wrong_response(q: Question) -> Any:
    """A response that earns nothing (or little): the mistakes a learner makes."""
    if q.type == "single_choice":
        return min(q.options, key=lambda o: o.weight).key
    if q.type == "multiple_response":
        return [o.key for o in q.options if o.weight <= 0] or [min(q.options, key=lambda o: o.weight).key]
    if q.type == "true_false":
        return not q.answer
    if q.type == "matching":
        prompts = [p.key for p in q.pairs if any(t.strip() for t in p.prompt.values())]
        return {key: prompts[(i + 1) % len(prompts)] for i, key in enumerate(prompts)}
    if q.type == "ordering":
        return [item.key for item in reversed(q.items)]
    if q.type == "fill_blanks":
        return {b.key: min(b.options, key=lambda o: o.weight).key if b.options else "zzz" for b in q.blanks}
    if q.type == "short_answer":
        return "zzz"
    if q.type == "numerical":
        return "-987654"
    if q.type == "scenario":
        return worst_path(q)
    return ""


def worst_path(q: Question) -> list[str]:
    nodes = {n.key: n for n in q.nodes}
    paths, todo, worst = {q.start: []}, [q.start], None
    while todo:
        node = nodes[todo.pop(0)]
        if not node.choices and (worst is None or node.weight < nodes[worst].weight):
            worst = node.key
        for choice in node.choices:
            if choice.next not in paths:
                paths[choice.next] = paths[node.key] + [choice.key]
                todo.append(choice.next)
    return paths[worst]


# --- filling in what the page shows ----------------------------------------------------------------------------

def check_by_label(page, key: Key, wanted: set[str]) -> None:
    """Tick the radio buttons / checkboxes whose label is the text of one of the ``wanted`` option keys."""
    texts = {key.part("options", option, "text"): option for option in wanted}
    inputs = page.locator("main form.answer-form input[name=answer]")
    found = set()
    for i in range(inputs.count()):
        box = inputs.nth(i)
        label = squash(page.locator(f"label[for='{box.get_attribute('id')}']").text_content())
        if label in texts:
            box.check()
            found.add(texts[label])
    assert found == set(wanted), f"{key.q.key}: options {set(wanted) - found} not found on the page"


def select_by_text(select, text: str) -> None:
    """Choose the option of ``select`` whose visible text is ``text`` (compared without whitespace)."""
    labels = select.locator("option").evaluate_all("os => os.map(o => [o.value, o.textContent])")
    value = next((v for v, label in labels if squash(label) == text), None)
    assert value is not None, f"{text!r} is not among {[label for _v, label in labels]}"
    select.select_option(value=value)


def fill_answer(page, key: Key, response: Any) -> None:
    """Put ``response`` (as the scoring engine writes it) into the question's form controls."""
    q = key.q
    if q.type == "single_choice":
        check_by_label(page, key, {response})
    elif q.type == "multiple_response":
        check_by_label(page, key, set(response))
    elif q.type == "true_false":
        page.check(f"main form.answer-form input[name=answer][value={'true' if response else 'false'}]")
    elif q.type in ("short_answer", "numerical", "reflection"):
        page.fill("main form.answer-form [name=answer]", str(response))
    elif q.type == "matching":
        for prompt, pair in response.items():
            select_by_text(page.locator(f"main select[name='match-{prompt}']"), key.part("pairs", pair, "answer"))
    elif q.type == "ordering":
        position = {key.part("items", item, "text"): n for n, item in enumerate(response, start=1)}
        rows = page.locator("main .order-row")
        for i in range(rows.count()):
            label = squash(rows.nth(i).locator("label").text_content())
            rows.nth(i).locator("select").select_option(value=str(position[label]))
    elif q.type == "fill_blanks":
        for blank in q.blanks:
            field = page.locator(f"main [name='blank-{blank.key}']")
            if blank.options:
                select_by_text(field, key.part("blanks", blank.key, "options", response[blank.key], "text"))
            else:
                field.fill(response[blank.key])
    else:
        raise AssertionError(f"cannot fill a {q.type} question")


def play_scenario(page, browse, key: Key, path: list[str]) -> None:
    """Click, node after node, the button of each choice of ``path``."""
    nodes = {n.key: n for n in key.q.nodes}
    node = nodes[key.q.start]
    for choice_key in path:
        assert squash(page.locator("main .scenario-node").text_content()) == key.part("nodes", node.key, "text")
        buttons = page.locator("main form.scenario-choices button[name=choice]")
        assert buttons.count() == len(node.choices)
        label = key.part("nodes", node.key, "choices", choice_key, "text")
        index = [squash(t) for t in buttons.all_text_contents()].index(label)
        browse.submit(page, f"main form.scenario-choices li:nth-child({index + 1}) button[name=choice]")
        node = nodes[next(c.next for c in node.choices if c.key == choice_key)]
    assert page.locator("main form.scenario-choices").count() == 0, "the scenario should have ended"
    assert squash(page.locator("main .scenario-node").text_content()) == key.part("nodes", node.key, "text")


PAGER_NEXT = "main nav.pager a:not([rel=prev])"


def answer_current(page, browse, keys: list[Key], right: bool) -> tuple[Key, bool]:
    """Answer the question on the page; returns it and whether the page now shows immediate feedback."""
    key = question_on(page, keys)
    response = correct_response(key.q) if right else wrong_response(key.q)
    if key.q.type == "reflection":  # not graded: any thoughts will do
        response = "Jouer ensemble aide à se connaître."
    before = browse.path_of(page)
    if key.q.type == "scenario":
        play_scenario(page, browse, key, response)
    else:
        fill_answer(page, key, response)
        browse.submit(page, "main form.answer-form button[type=submit]")
    return key, browse.path_of(page) == before


def play_attempt(page, browse, keys: list[Key], right: bool | list[bool] = True) -> None:
    """From the quiz page: start (or try again), answer every question, submit; ends on the results page.

    ``right`` may be a list (practice quizzes: one entry per draw, the last one repeated until mastery).
    """
    browse.submit(page, "main form[action$='/start'] button")
    plan = right if isinstance(right, list) else [right]
    for draw in range(60):
        path = browse.path_of(page)
        if path.endswith("/summary"):
            assert page.locator("main .flash-error").count() == 0, "every question should be answered"
            browse.submit(page, "main form[action$='/submit'] button")
        if path.endswith("/review") or browse.path_of(page).endswith("/review"):
            return
        good = plan[min(draw, len(plan) - 1)]
        key, immediate = answer_current(page, browse, keys, good)
        if browse.path_of(page).endswith("/review"):  # practice: mastery reached
            return
        if immediate:
            outcome = page.locator("main section.feedback:not(.feedback-neutral)")
            if key.q.type != "reflection":
                is_right = "feedback-right" in outcome.get_attribute("class").split()
                assert is_right == good, f"{key.q.key}: {outcome.inner_text()}"
            browse.submit(page, PAGER_NEXT)
    raise AssertionError("the attempt never ended")


def result_of(page) -> bool:
    """On a results page: passed or not."""
    classes = page.locator("main p.result").get_attribute("class")
    return "result-passed" in classes


# --- the journeys ----------------------------------------------------------------------------------------------

def activity_path(course: str, path: str) -> str:
    return f"/courses/{course}/{path}"


def test_youth_course_in_arabic_to_certificate(page, browse):
    """trainee.ma (Arabic) plays the whole youth course, Moroccan variant, and gets a certificate anyone can check."""
    doc = course_doc(YOUTH, "MA")
    steps = [(f"{m.key}/{a.key}", a) for m in doc.modules for a in m.activities]
    browse.login(page, "trainee.ma@example.org")
    assert page.locator("html[dir=rtl][lang=ar]").count() == 1

    browse.visit(page, "/courses")
    browse.submit(page, f"main form[action='/courses/{YOUTH}/enrol'] button")
    assert browse.path_of(page) == activity_path(YOUTH, steps[0][0]), "enrolling opens the first activity"

    # a lesson, in Arabic, right to left; lessons of this course are done when viewed
    browse.visit(page, activity_path(YOUTH, "the-journey/intro"))
    assert page.locator("html[dir=rtl][lang=ar]").count() == 1
    body = page.locator("main .lesson-body")
    assert body.get_attribute("lang") in (None, "ar"), "the lesson exists in Arabic: no fallback"
    assert page.locator("main .fallback-note").count() == 0
    assert ARABIC.search(body.inner_text()) and ARABIC.search(page.locator("main h1").inner_text())
    assert page.locator("main .state-done-note").count() == 1

    # the scenario: from the first message to the best ending, choices as buttons
    browse.visit(page, activity_path(YOUTH, "the-journey/story"))
    journey = [Key(q, "ar") for q in quiz_of(doc, "the-journey/story").questions]
    browse.submit(page, "main form[action$='/start'] button")
    key, immediate = answer_current(page, browse, journey, right=True)
    assert key.q.type == "scenario" and immediate
    assert page.locator("main #debrief-title").count() == 1
    assert page.locator("main section.feedback-right").count() == 1, "the best ending is worth full marks"
    assert page.locator("main .points").count() == 1
    browse.submit(page, PAGER_NEXT)
    for _n in range(len(journey) - 1):
        answer_current(page, browse, journey, right=True)
        browse.submit(page, PAGER_NEXT)
    assert browse.path_of(page).endswith("/summary")
    browse.submit(page, "main form[action$='/submit'] button")
    assert result_of(page) and "100" in page.locator("main p.result").inner_text()

    # a practice round (immediate feedback, mastery): one mistake, then right until mastered
    browse.visit(page, activity_path(YOUTH, "myth-or-fact/round"))
    round_keys = [Key(q, "ar") for q in quiz_of(doc, "myth-or-fact/round").questions]
    play_attempt(page, browse, round_keys, right=[False, True])
    assert result_of(page), "3 right of the last 4 masters the round"
    assert page.locator(".flashes .flash-success").count() == 1

    # the first completed module earns a badge, shown on the dashboard
    browse.visit(page, "/learning")
    assert page.locator("main ul.badges li.badge-first-module").count() == 1

    # a quiz failed (one wrong answer, then submitted as it is), then passed on the second attempt
    browse.visit(page, activity_path(YOUTH, "who-am-i/quiz"))
    who = [Key(q, "ar") for q in quiz_of(doc, "who-am-i/quiz").questions]
    browse.submit(page, "main form[action$='/start'] button")
    answer_current(page, browse, who, right=False)
    assert page.locator("main section.feedback-wrong").count() == 1
    browse.submit(page, "main p.muted a[href$='/summary']")  # "Overview"
    assert page.locator("main .flash-error").count() == 1, "the unanswered questions are pointed out"
    browse.submit(page, "main form[action$='/submit'] button")
    assert not result_of(page) and re.findall(r"\d+", page.locator("main p.result strong").inner_text()) == ["0"]
    assert page.locator("main ol.review section.feedback-wrong").count() == len(who)
    play_attempt(page, browse, who, right=True)  # "Try again" on the results page
    assert result_of(page) and "100" in page.locator("main p.result").inner_text()
    browse.visit(page, activity_path(YOUTH, "who-am-i/quiz"))
    assert page.locator("main table tbody tr").count() == 2, "both attempts are listed"

    # every other required activity: lessons by viewing them, quizzes by passing them
    done = {"the-journey/intro", "the-journey/story", "myth-or-fact/round", "who-am-i/quiz", steps[0][0]}
    for path, activity in steps:
        if path in done:
            continue
        browse.visit(page, activity_path(YOUTH, path))
        if activity.type == "quiz":
            play_attempt(page, browse, [Key(q, "ar") for q in activity.quiz.questions], right=True)
            assert result_of(page), path

    browse.visit(page, f"/courses/{YOUTH}")
    assert page.locator("main progress").get_attribute("value") == "100"
    link = page.locator("main a[href^='/certificates/']")
    assert link.count() == 1
    href = link.get_attribute("href")
    code = href.removeprefix("/certificates/").removesuffix(".pdf")
    pdf = page.request.get(href)  # with the page's cookies; the link itself: test_certificate_link_downloads
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    CERTIFICATES["trainee.ma@example.org"] = code

    browse.visit(page, "/learning")
    badges = page.locator("main ul.badges li")
    for kind in ("first-module", "perfect-round", "course-completed"):
        assert badges.and_(page.locator(f".badge-{kind}")).count() == 1, kind
    assert page.locator(f"main a[href='/certificates/{code}.pdf']").count() == 1

    browse.logout(page)
    browse.visit(page, f"/verify/{code}")  # anyone can check a certificate
    assert page.locator("main p.result-passed").count() == 1
    assert "Salma Idrissi" in page.locator("main dl.facts").inner_text()
    browse.visit(page, "/verify/AAAA-BBBB-CCCC", status=404)
    assert page.locator("main p.result-failed").count() == 1


def test_quiz_without_javascript(page_nojs, browse):
    """trainee.sn, JavaScript off: enrol in the sport course, pass one module quiz through plain form posts."""
    page = page_nojs
    course, path = "sport-integration", "measuring/quiz"
    doc = course_doc(course, "SN")
    browse.login(page, "trainee.sn@example.org")
    browse.visit(page, f"/courses/{course}")
    browse.submit(page, f"main form[action='/courses/{course}/enrol'] button")
    browse.visit(page, activity_path(course, path))
    keys = [Key(q, "fr") for q in quiz_of(doc, path).questions]

    # a missing answer is refused with a message, and nothing is saved
    browse.submit(page, "main form[action$='/start'] button")
    browse.submit(page, "main form.answer-form button[type=submit]", status=400)
    assert page.locator("main .error-summary").count() == 1
    browse.visit(page, activity_path(course, path))

    play_attempt(page, browse, keys, right=True)  # "Resume the attempt", then one page per question
    assert result_of(page) and "100" in page.locator("main p.result").inner_text()
    assert page.locator("main ol.review > li").count() == len(keys)
    browse.visit(page, f"/courses/{course}")
    assert page.locator(f"main a[href='{activity_path(course, path)}'] ~ .state-done").count() == 1


def test_certificate_link_downloads(page, browse):
    """The “Download your certificate (PDF)” link downloads the file (needs the certificate earned above)."""
    if "trainee.ma@example.org" not in CERTIFICATES:
        pytest.skip("runs after test_youth_course_in_arabic_to_certificate")
    code = CERTIFICATES["trainee.ma@example.org"]
    browse.login(page, "trainee.ma@example.org")
    browse.visit(page, f"/courses/{YOUTH}")
    try:
        with page.expect_download(timeout=2000) as download_info:
            page.click(f"main a[href='/certificates/{code}.pdf']")
        download = download_info.value
    except PlaywrightTimeout:
        pytest.fail(f"no download: the browser shows {page.url} instead")
    assert download.suggested_filename == f"certificate-{code}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_untranslated_lesson_says_so_in_the_page_language(page, browse):
    """A lesson not yet in Arabic is shown in French, with a note in Arabic saying so (marked as Arabic)."""
    course = "sport-integration"
    browse.login(page, "trainee.ma@example.org")
    browse.visit(page, f"/courses/{course}")
    browse.submit(page, f"main form[action='/courses/{course}/enrol'] button")
    browse.visit(page, activity_path(course, "principles/sport-for-development"))
    note = page.locator("main .fallback-note")
    assert note.count() == 1 and ARABIC.search(note.inner_text())
    assert page.locator("main .lesson-body").get_attribute("lang") == "fr"
    assert note.get_attribute("lang") in (None, "ar"), f"the Arabic note says lang={note.get_attribute('lang')!r}"
