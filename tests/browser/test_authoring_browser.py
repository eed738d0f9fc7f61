"""Trainers in headless Chromium: a Senegalese adaptation reviewed, published, then caught up by a change of the base
course (conflict, three-way view, merge) while a learner's progress stays; and markup typed by trainers into every
text box of an adaptation and of a base draft stays inert for learners and in the preview.

The course is "sustainable-training-model" (no other browser test plays it). Its shipped adaptations are imported as
country versions only, so each country's adaptation here is created on the web, starting from the base course.
"""
from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

pytestmark = pytest.mark.browser

COURSE = "sustainable-training-model"
WORKSPACE = f"/workspace/{COURSE}"
TEXT_BOXES = "main form textarea[name*='__'], main form input[type=text][name*='__']"


def squash(text: str) -> str:
    return " ".join((text or "").split())


def adaptation_url(country: str, rest: str = "") -> str:
    return f"{WORKSPACE}/adaptations/{country}{rest}"


def flash(page, kind: str = "success") -> str:
    flashes = page.locator(f".flashes .flash-{kind}")
    assert flashes.count() >= 1, f"no {kind} message on {page.url}"
    return flashes.first.inner_text()


def save_texts(page, browse, texts: dict[str, str]) -> None:
    """On an item page (adaptation or draft): type ``texts`` (by box name) and save; back on the same page."""
    for name, text in texts.items():
        page.fill(f"main form [name='{name}']", text)
    browse.submit(page, "main form:has([name*='__']) button[type=submit]")
    assert page.locator("main .error-summary").count() == 0


def course_shows_done(page, browse, path: str) -> None:
    browse.visit(page, f"/courses/{COURSE}")
    done = page.locator(f"main a[href='/courses/{COURSE}/{path}'] ~ .state-done")
    assert done.count() == 1, f"{path} is no longer shown as done: {page.locator('main').inner_text()[:400]}"


def create_adaptation(page, browse, country: str) -> None:
    """From the workspace, a new adaptation following the base course; ends on its status page."""
    browse.visit(page, "/workspace/")
    form = f"main form[action='{adaptation_url(country, '/create')}']"
    start = page.locator(f"{form} select[name=start_from]")
    if start.count():
        start.select_option(value="")
    browse.submit(page, f"{form} button[type=submit]")
    assert browse.path_of(page) == adaptation_url(country)
    flash(page)


def submit_adaptation(page, browse, country: str) -> None:
    if browse.path_of(page) != adaptation_url(country):
        browse.visit(page, adaptation_url(country))
    browse.submit(page, f"main form[action='{adaptation_url(country, '/submit')}'] button")
    flash(page)


def approve_adaptation(page, browse, country: str) -> None:
    """As a reviewer (admin): approve and publish the submitted adaptation."""
    browse.visit(page, adaptation_url(country))
    page.fill(f"main form[action='{adaptation_url(country, '/publish')}'] [name=note]", "Relu")
    browse.submit(page, f"main form[action='{adaptation_url(country, '/publish')}'] button[type=submit]")
    assert "publi" in flash(page).lower()


def new_base_draft(page, browse) -> None:
    browse.visit(page, f"{WORKSPACE}/")
    browse.submit(page, f"main form[action='{WORKSPACE}/draft/new'] button")
    assert browse.path_of(page) == f"{WORKSPACE}/draft/"


def publish_base_draft(page, browse) -> None:
    browse.visit(page, f"{WORKSPACE}/draft/")
    browse.submit(page, f"main form[action='{WORKSPACE}/draft/submit'] button")
    browse.submit(page, f"main form[action='{WORKSPACE}/draft/publish'] button[type=submit]")
    assert browse.path_of(page) == f"{WORKSPACE}/"
    flash(page)


# --- a Senegalese adaptation, a base change, a conflict, a merge ---------------------------------------------

LESSON, QUESTION = "concepts/lesson", "concepts/quiz/q-migrant"
SN_LESSON = ("## Au Sénégal\n\nÀ Kaolack, le BAOS de la région accueille les personnes de retour : "
             "on y parle wolof et français.")
SN_QUESTION = "Au Sénégal, que peut-on dire du mot « migrant » en droit international ?"
BASE_UPDATE = "Mise à jour : le glossaire de l'OIM fait foi depuis 2019."
#: the base lessons changed (with BASE_UPDATE) and published by the tests that ran
BASE_CHANGED: list[str] = []


def lesson_text(page, browse) -> str:
    browse.visit(page, f"/courses/{COURSE}/{LESSON}")
    assert page.locator("main .state-done-note").count() == 1, "the lesson stays done"
    return squash(page.locator("main .lesson-body").inner_text())


def test_senegal_adaptation_survives_a_base_change(page, more_pages, browse):
    """trainer.sn adapts a lesson and a question, admin approves; admin then edits the same lesson in the base;
    trainer.sn merges the conflict in the three-way view; trainee.sn sees each state, keeping the lesson done.

    Three people, each in their own browser context, logged in once."""
    trainee, trainer, admin = page, more_pages(), more_pages()

    # trainee.sn enrols and marks the lesson done before any change
    browse.login(trainee, "trainee.sn@example.org")
    browse.visit(trainee, f"/courses/{COURSE}")
    browse.submit(trainee, f"main form[action='/courses/{COURSE}/enrol'] button")
    assert browse.path_of(trainee) == f"/courses/{COURSE}/{LESSON}"
    base_lesson = squash(trainee.locator("main .lesson-body").inner_text())
    browse.submit(trainee, f"main form[action='/courses/{COURSE}/{LESSON}/done'] button")
    course_shows_done(trainee, browse, LESSON)

    # trainer.sn: a new SN adaptation, the lesson text and the question text replaced, sent for review
    browse.login(trainer, "trainer.sn@example.org")
    create_adaptation(trainer, browse, "SN")
    browse.visit(trainer, adaptation_url("SN", f"/items/{LESSON}"))
    save_texts(trainer, browse, {"body__fr": SN_LESSON})
    assert trainer.locator("main textarea[name=body__fr]").input_value() == SN_LESSON
    browse.visit(trainer, adaptation_url("SN", f"/items/{QUESTION}"))
    save_texts(trainer, browse, {"text__fr": SN_QUESTION})
    submit_adaptation(trainer, browse, "SN")
    # the submitter is not offered "Approve and publish" (see test_refused_approval_says_why)
    assert trainer.locator(f"main form[action='{adaptation_url('SN', '/publish')}']").count() == 0

    # admin approves: trainee.sn gets the Senegalese texts, the lesson still done
    browse.login(admin, "admin@example.org")
    approve_adaptation(admin, browse, "SN")
    shown = lesson_text(trainee, browse)
    assert "BAOS de la région" in shown and base_lesson not in shown
    browse.visit(trainee, f"/courses/{COURSE}/concepts/quiz")
    browse.submit(trainee, "main form[action$='/start'] button")
    assert squash(trainee.locator("main #q-text").inner_text()) == squash(SN_QUESTION)
    course_shows_done(trainee, browse, LESSON)

    # admin changes the same lesson of the base course in a draft, and publishes it
    new_base_draft(admin, browse)
    browse.visit(admin, f"{WORKSPACE}/draft/items/{LESSON}")
    base_body = admin.locator("main textarea[name=body__fr]").input_value()
    save_texts(admin, browse, {"body__fr": f"{base_body.rstrip()}\n\n{BASE_UPDATE}\n"})
    flash(admin)
    publish_base_draft(admin, browse)
    BASE_CHANGED.append(LESSON)

    # the country keeps its own text; the progress stays
    shown = lesson_text(trainee, browse)
    assert "BAOS de la région" in shown and BASE_UPDATE not in shown
    course_shows_done(trainee, browse, LESSON)

    # trainer.sn sees the conflict (only the lesson: the question did not change), merges it, sends it for review
    browse.visit(trainer, adaptation_url("SN"))
    conflicts = trainer.locator("main h3 + p + ul a[href*='/overrides/']")
    assert conflicts.count() == 1, trainer.locator("main").inner_text()[:600]
    assert LESSON in conflicts.first.inner_text() and "body" in conflicts.first.inner_text()
    browse.submit(trainer, f"main a[href='{conflicts.first.get_attribute('href')}']")
    assert trainer.locator("main .flash-error").count() == 1, "the conflict is announced"
    columns = trainer.locator("main .three-way section")
    assert columns.count() == 3
    assert BASE_UPDATE not in columns.nth(0).inner_text(), "the base when the country wrote its text"
    assert BASE_UPDATE in columns.nth(1).inner_text(), "the base now"
    assert "BAOS de la région" in columns.nth(2).inner_text(), "the country's text"
    assert BASE_UPDATE in " ".join(trainer.locator("main .diff ins").all_inner_texts())
    trainer.check("main input[name=action][value=merge]")
    trainer.fill("main textarea[name=merged]", f"{SN_LESSON}\n\n{BASE_UPDATE}")
    browse.submit(trainer, "main form[method=post] button[type=submit]")
    assert browse.path_of(trainer) == adaptation_url("SN")
    flash(trainer)
    assert trainer.locator("main li:has(> a[href*='/overrides/'])").count() == 2, "the country's two changes"
    assert trainer.locator("main h3 + p + ul a[href*='/overrides/']").count() == 0, "no conflict left"
    submit_adaptation(trainer, browse, "SN")

    # approved again: trainee.sn reads the merged text, the lesson still done
    approve_adaptation(admin, browse, "SN")
    shown = lesson_text(trainee, browse)
    assert "BAOS de la région" in shown and BASE_UPDATE in shown
    course_shows_done(trainee, browse, LESSON)


def test_base_change_reaches_a_country_adapted_in_files(page, browse):
    """Mali's variant of the course came from its adaptation file and leaves that lesson alone: the base change
    published above reaches trainee.ml."""
    if LESSON not in BASE_CHANGED:
        pytest.skip("runs after test_senegal_adaptation_survives_a_base_change")
    browse.login(page, "trainee.ml@example.org")
    browse.visit(page, f"/courses/{COURSE}")
    browse.submit(page, f"main form[action='/courses/{COURSE}/enrol'] button")
    assert browse.path_of(page) == f"/courses/{COURSE}/{LESSON}"
    assert BASE_UPDATE in page.locator("main .lesson-body").inner_text()


def test_refused_approval_says_why(page, browse):
    """trainer.ml, who submitted the ML adaptation, is not offered "Approve and publish": a line says that another
    trainer or an admin approves it (a forged request is refused: tests/authoring/test_authoring_structure.py)."""
    browse.login(page, "trainer.ml@example.org")
    create_adaptation(page, browse, "ML")
    submit_adaptation(page, browse, "ML")
    assert page.locator(f"main form[action='{adaptation_url('ML', '/publish')}']").count() == 0
    assert page.locator("main button", has_text="Approuver").count() == 0
    line = page.locator("main .awaiting-approval").inner_text().lower()
    assert "un autre formateur ou un administrateur" in line and "approuv" in line, line


# --- a local question added on the web, without JavaScript ----------------------------------------------------

LOCAL_COURSE = "sport-integration"
LOCAL_QUESTION = "Au Sénégal, quelle structure accompagne les associations sportives de quartier (ASC) ?"


def test_local_question_shows_in_the_preview(page_nojs, browse):
    """trainer.sn adds a question of Senegal to a quiz of the SN adaptation (choosing the quiz and the place with
    plain forms, JavaScript off), finds it in the list of the country's changes and in the learner preview, right
    after the question it was placed after."""
    page = page_nojs
    base = f"/workspace/{LOCAL_COURSE}/adaptations/SN"
    browse.login(page, "trainer.sn@example.org")
    browse.visit(page, "/workspace/")
    browse.submit(page, f"main form[action='{base}/create'] button[type=submit]")
    assert browse.path_of(page) == base

    browse.submit(page, f"main a[href='{base}/local-question']")
    page.select_option("main select[name=quiz]", "principles/quiz")
    browse.submit(page, "main form[method=get] button[type=submit]")
    assert unquote(browse.path_of(page)) == f"{base}/local-question?quiz=principles/quiz"
    page.select_option("main select[name=after]", "q-sfd")
    page.fill("main input[name=key]", "sn-asc")
    page.select_option("main select[name=type]", "single_choice")
    page.fill("main textarea[name=text__fr]", LOCAL_QUESTION)
    page.fill("main textarea[name=text__en]", "In Senegal, who supports neighbourhood sport associations (ASC)?")
    page.fill("main textarea[name=options__fr]", "*L'ONCAV\nLe ministère des Finances\nPersonne")
    page.fill("main textarea[name=options__en]", "ONCAV\nThe ministry of finance\nNobody")
    page.fill("main textarea[name=feedback__fr]", "L'ONCAV organise les navétanes.")
    page.fill("main textarea[name=feedback__en]", "ONCAV runs the navétanes.")
    browse.submit(page, "main form[method=post] button[type=submit]")
    assert browse.path_of(page) == base
    assert "question" in flash(page).lower()
    change = page.locator("main li", has_text="principles/quiz/sn-asc")
    assert change.count() == 1

    # edited like the country's other changes: its Arabic text added
    browse.submit(page, f"main a[href='{change.locator('a').first.get_attribute('href')}']")
    page.fill("main [name='p0-text__ar']", "في السنغال، من يدعم الجمعيات الرياضية في الأحياء؟")
    browse.submit(page, "main form[method=post]:has([name='p0-text__ar']) button[type=submit]")
    assert page.locator("main [name='p0-text__ar']").input_value().startswith("في السنغال")
    flash(page)

    browse.visit(page, f"{base}/preview?lang=fr")
    questions = [squash(q) for q in page.locator("main section ol li").all_inner_texts()]
    assert squash(LOCAL_QUESTION) in questions, questions
    index = questions.index(squash(LOCAL_QUESTION))
    assert questions[index - 1].startswith("Qu'est-ce qui distingue"), "right after q-sfd"


# --- markup typed by trainers stays text ---------------------------------------------------------------------

PAYLOADS = (
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    '<svg onload="window.__xss=1">',
    "[x](javascript:window.__xss=1)",
    '<a href="javascript:window.__xss=1">x</a>',
    '<iframe src="javascript:window.__xss=1">',
    '"><script>window.__xss=1</script>',
    '<details open ontoggle="window.__xss=1">',
)

#: what a page must never have: the flag set, an on* attribute in the main content, a javascript: URL anywhere,
#: an inline script, a frame, an SVG or an embedded object in the main content
INERT = r"""() => {
    const js = v => /^javascript:/i.test((v || '').replace(/[\u0000-\u0020]/g, ''));
    const handlers = [];
    for (const el of document.querySelectorAll('main *')) {
        for (const a of el.attributes) {
            if (a.name.toLowerCase().startsWith('on')) handlers.push(`${el.tagName} ${a.name}`);
        }
    }
    const urls = [...document.querySelectorAll('[href], [src], [action], [formaction], [data]')]
        .flatMap(el => ['href', 'src', 'action', 'formaction', 'data'].map(n => el.getAttribute(n)))
        .filter(js);
    const embedded = [...document.querySelectorAll(
        'main script:not([src]), main iframe, main frame, main svg, main object, main embed')].map(el => el.tagName);
    return {flag: typeof window.__xss, handlers, urls, embedded};
}"""


def assert_inert(page, where: str, shown: str | None = "main") -> None:
    """Nothing of the payloads runs or links on the page; with ``shown``, they are there as text in that element.
    Collapsed previews are opened first (a ``toggle`` handler would run then)."""
    page.evaluate("() => document.querySelectorAll('main details').forEach(d => { d.open = true; })")
    page.evaluate("() => new Promise(resolve => setTimeout(resolve, 0))")  # the toggle events' task
    found = page.evaluate(INERT)
    assert found == {"flag": "undefined", "handlers": [], "urls": [], "embedded": []}, f"{where}: {found}"
    if shown is not None:
        text = " ".join(page.locator(shown).all_inner_texts())
        assert "window.__xss=1" in text, f"{where}: the typed text is not shown in {shown}"


def type_payloads(page, browse) -> int:
    """Every text box of the item's texts form gets every payload; saved. Returns how many boxes."""
    boxes = page.locator(TEXT_BOXES)
    names = boxes.evaluate_all("els => els.map(e => [e.name, e.tagName])")
    assert names, f"no text box on {page.url}"
    save_texts(page, browse, {name: ("\n\n" if tag == "TEXTAREA" else " ").join(PAYLOADS) for name, tag in names})
    return len(names)


def test_markup_typed_by_trainers_stays_inert(page, more_pages, browse):
    """The XSS payloads in every text box of a CI adaptation (a lesson, a question, an option) and of a base draft
    (a lesson, a question): nothing runs for the learner (lessons, questions, results) nor in the previews."""
    lesson_ci, question_ci = "frameworks/lesson", "frameworks/quiz/q-gcm-adoption"
    option_ci = f"{question_ci}/a"
    lesson_base, question_base = "frameworks/case-study", "frameworks/quiz/q-gcm-binding"
    trainee, trainer, admin = page, more_pages(), more_pages()

    browse.login(trainer, "trainer.ci@example.org")
    create_adaptation(trainer, browse, "CI")
    for path, shown in ((lesson_ci, "main .lesson"), (question_ci, None), (option_ci, None)):
        browse.visit(trainer, adaptation_url("CI", f"/items/{path}"))
        assert type_payloads(trainer, browse) >= 6, "every field in fr, en and ar"
        assert_inert(trainer, f"the CI item page of {path}", shown)
    submit_adaptation(trainer, browse, "CI")

    browse.login(admin, "admin@example.org")
    approve_adaptation(admin, browse, "CI")
    new_base_draft(admin, browse)
    for path, shown in ((lesson_base, "main .lesson"), (question_base, None)):
        browse.visit(admin, f"{WORKSPACE}/draft/items/{path}")
        assert type_payloads(admin, browse) >= 6, "every field in fr, en and ar"
        assert_inert(admin, f"the draft item page of {path}", shown)
    publish_base_draft(admin, browse)

    # the trainer's preview: both lessons and both questions, resolved on the new base
    for lang in ("fr", "ar"):
        browse.visit(trainer, adaptation_url("CI", f"/preview?lang={lang}"))
        assert_inert(trainer, f"the CI preview ({lang})")
        text = trainer.locator("main").inner_text()
        assert text.count("<script>window.__xss=1</script>") >= 8, "two lessons (title, body), two questions"

    # the learner: both lessons, both questions, the results with their feedback, the course page
    browse.login(trainee, "trainee.ci@example.org")
    browse.visit(trainee, f"/courses/{COURSE}")
    browse.submit(trainee, f"main form[action='/courses/{COURSE}/enrol'] button")
    for path in (lesson_ci, lesson_base):
        browse.visit(trainee, f"/courses/{COURSE}/{path}")
        assert_inert(trainee, f"the lesson {path}", "main .lesson-body")
        assert "window.__xss=1" in trainee.locator("main h1").inner_text(), "the title is the typed one"
    browse.visit(trainee, f"/courses/{COURSE}/frameworks/quiz")
    browse.submit(trainee, "main form[action$='/start'] button")
    assert_inert(trainee, "question 1", "main #q-text")
    assert "window.__xss=1" in " ".join(trainee.locator("main form.answer-form label").all_inner_texts()), (
        "the option")
    trainee.locator("main form.answer-form input[name=answer]").first.check()
    browse.submit(trainee, "main form.answer-form button[type=submit]")
    assert re.search(r"/attempts/\d+/2$", browse.path_of(trainee)), browse.path_of(trainee)
    assert_inert(trainee, "question 2", "main #q-text")
    trainee.locator("main form.answer-form input[name=answer]").first.check()
    browse.submit(trainee, "main form.answer-form button[type=submit]")
    attempt = re.search(r"/attempts/(\d+)", browse.path_of(trainee)).group(1)
    browse.visit(trainee, f"/attempts/{attempt}/summary")
    browse.submit(trainee, "main form[action$='/submit'] button")
    assert browse.path_of(trainee).endswith("/review")
    assert_inert(trainee, "the results", "main ol.review")
    assert trainee.locator("main ol.review").inner_text().count("window.__xss=1") >= 16, (
        "texts and feedback of both questions")
    browse.visit(trainee, f"/courses/{COURSE}")
    assert_inert(trainee, "the course page")
