"""Browser fixtures: the demo app served on a loopback port, headless Chromium, and an axe check on every page.

The live server runs the real migrations and the demo seed on a temporary SQLite file, so the browser sees exactly
what ``flask db upgrade && flask demo seed`` gives. Each test gets a fresh browser context (no shared cookies).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from functools import lru_cache
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.serving import make_server

from config import TestingConfig

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DEMO_PASSWORD = "recosa-demo"
BLOCKING_IMPACTS = ("serious", "critical")
TIMEOUT_MS = 10_000


def _build_app(url: str) -> Flask:
    from recosa_learn import create_app

    config = {key: getattr(TestingConfig, key) for key in dir(TestingConfig) if key.isupper()}
    # Every login comes from 127.0.0.1: the production limit would lock the suite out.
    config.update(SQLALCHEMY_DATABASE_URI=url, LOGIN_RATE_LIMIT="1000 per minute")
    return create_app(config)


def _migrate_and_seed(app: Flask) -> None:
    """What ``make run`` gives: migrations, demo accounts, the shipped courses, then sample learner activity."""
    from pathlib import Path

    from flask_migrate import upgrade

    from recosa_learn.content.importer import import_tree
    from recosa_learn.demo.cli import seed_demo
    from recosa_learn.extensions import db
    from recosa_learn.stats.demo import seed_activity

    with app.app_context():
        upgrade()
        seed_demo(echo=lambda *args, **kwargs: None)
        db.session.commit()
        import_tree(Path(app.config["COURSE_CONTENT_DIR"]))
        db.session.commit()
        seed_activity()
        db.session.commit()
        db.session.remove()


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The demo app the browser tests use, migrated and seeded (for tests that run a command beside the pages)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'demo.sqlite3'}"
    app = _build_app(url)
    _migrate_and_seed(app)
    try:
        yield app
    finally:
        from recosa_learn.extensions import db

        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    """Base URL of the demo app, served by a threaded Werkzeug server on a free port."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (the system build, not a downloaded one)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM}: install the 'chromium' package or set CHROMIUM_PATH")
    sync_playwright = pytest.importorskip("playwright.sync_api", reason="the 'playwright' package is not installed"
                                          ).sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


def _open_page(browser, live_server: str, **options):
    context = browser.new_context(base_url=live_server, locale="fr-FR", **options)
    context.set_default_timeout(TIMEOUT_MS)
    if options.get("java_script_enabled", True):
        context.add_init_script(script=_axe_script())  # once per context, not sent again for every axe check
    page = context.new_page()
    page.errors = []  # uncaught script errors, console errors (CSP refusals show up there), failed sub-resources
    page.on("pageerror", lambda error: page.errors.append(f"uncaught: {error}"))
    page.on("console", lambda message: _is_script_error(message) and page.errors.append(f"console: {message.text}"))
    page.on("response", lambda response: _is_failed_resource(response) and page.errors.append(
        f"HTTP {response.status} for {response.request.resource_type} {response.url}"))
    return context, page


def _is_script_error(message) -> bool:
    # Chromium also logs every HTTP error as "Failed to load resource": the response listener judges those.
    return message.type == "error" and not message.text.startswith("Failed to load resource")


def _is_failed_resource(response) -> bool:
    """A stylesheet, script, image or fetch that failed; pages themselves are checked by ``visit``/``submit``."""
    return response.status >= 400 and response.request.resource_type != "document"


@pytest.fixture
def page(browser, live_server: str):
    """A page in a fresh context (own cookies) with JavaScript on; fails the test on any script error."""
    context, page = _open_page(browser, live_server)
    try:
        yield page
        assert not page.errors, "errors in the browser:\n" + "\n".join(page.errors)
    finally:
        context.close()


@pytest.fixture
def more_pages(browser, live_server: str):
    """A factory of further pages like ``page``, each in its own fresh context: several people at once, each
    logged in once. Fails the test on any script error in any of them."""
    opened = []

    def open_page():
        context, new = _open_page(browser, live_server)
        opened.append((context, new))
        return new

    try:
        yield open_page
        errors = [error for _context, each in opened for error in each.errors]
        assert not errors, "errors in the browser:\n" + "\n".join(errors)
    finally:
        for context, _page in opened:
            context.close()


@pytest.fixture
def page_nojs(browser, live_server: str):
    """A page in a fresh context with JavaScript off: every form must still work.

    axe-core needs JavaScript, so ``axe_check`` replays this page's HTML in a second, script-enabled context
    where the app's own scripts are blanked out (see ``_axe_on_copy``).
    """
    context, page = _open_page(browser, live_server, java_script_enabled=False)
    proxy_context, proxy = _open_page(browser, live_server)
    proxy.route(lambda url: urlsplit(url).path.endswith(".js"),
                lambda route: route.fulfill(status=200, content_type="text/javascript", body=""))
    page.axe_proxy = proxy
    try:
        yield page
        assert not page.errors, "errors in the browser:\n" + "\n".join(page.errors)
    finally:
        proxy_context.close()
        context.close()


def _axe_on_copy(page, known: bool = True) -> None:
    """Serve ``page``'s current HTML at the same URL to its script-enabled twin, and axe-check it there."""
    proxy, url, html = page.axe_proxy, page.url, page.content()

    def serve(route) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    def same_url(candidate: str) -> bool:
        return candidate == url

    proxy.route(same_url, serve)
    try:
        proxy.goto(url)
        axe_check(proxy, known)
    finally:
        proxy.unroute(same_url, serve)


#: Jump the finite CSS animations running now (e.g. the learn feedback's fade-in) to their end state.
SETTLE_ANIMATIONS = """() => document.getAnimations()
    .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
    .forEach(a => a.finish())"""


@lru_cache(maxsize=1)
def _axe_script() -> str:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().axe_script


#: Known app bugs that axe reports, as {rule id: CSS class of the nodes}: tolerated by ``axe_check`` (only those
#: nodes, only that rule) so the journeys behind them still run. Each one is pinned by a strict xfail test that runs
#: ``axe_check(page, known=False)``; when the app is fixed that test passes, fails as XPASS, and the entry goes.
KNOWN_VIOLATIONS: dict[str, str] = {}


def _is_known(violation: dict, node: dict) -> bool:
    css_class = KNOWN_VIOLATIONS.get(violation["id"])
    return css_class is not None and f".{css_class}" in str(node["target"][-1])


def axe_check(page, known: bool = True) -> None:
    """Fail with a readable list when axe-core finds a serious or critical accessibility violation.

    ``known=False`` reports the known app bugs of ``KNOWN_VIOLATIONS`` too.
    """
    if hasattr(page, "axe_proxy"):  # JavaScript is off in this page: axe cannot run in it
        _axe_on_copy(page, known)
        return
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_script())
    page.evaluate(SETTLE_ANIMATIONS)  # mid-fade colours are not the page's colours (false contrast failures)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    blocking = [v for v in results["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    if known:
        blocking = [{**v, "nodes": nodes} for v in blocking
                    if (nodes := [n for n in v["nodes"] if not _is_known(v, n)])]
    if blocking:
        lines = [f"axe found {len(blocking)} serious/critical violation(s) on {page.url}:"]
        for violation in blocking:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:10]:
                summary = " ".join(str(node.get("failureSummary", "")).split())
                lines.append(f"    at {' '.join(map(str, node['target']))}: {summary}")
        pytest.fail("\n".join(lines), pytrace=False)


def visit(page, path: str, status: int = 200):
    """Go to ``path``, check the HTTP status, then run the axe check on the page reached."""
    response = page.goto(path)
    assert response is not None and response.status == status, (
        f"GET {path}: expected {status}, got {response and response.status}")
    axe_check(page)
    return response


def submit(page, selector: str, status: int = 200) -> None:
    """Click ``selector`` (a submit button or a link), wait for the next page, check its status and axe-check it."""
    with page.expect_navigation() as navigation:
        page.click(selector)
    response = navigation.value
    assert response is not None and response.status == status, (
        f"{selector} on {page.url}: expected {status}, got {response and response.status}")
    axe_check(page)


def path_of(page) -> str:
    """Path and query of the page's current URL."""
    parts = urlsplit(page.url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def login(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the real form and land on the home page."""
    visit(page, "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    submit(page, "form input[type=submit][name=submit]")
    assert path_of(page) == "/", f"{email}: login ended on {page.url}"


def logout(page) -> None:
    """Log out with the header button; the login page comes back."""
    submit(page, "form[action='/logout'] button[type=submit]")
    assert path_of(page) == "/login"
    assert page.locator("form[action='/logout']").count() == 0


class Browse:
    """The helpers above, handed to tests as one fixture (``conftest`` itself is not importable here)."""

    axe_check = staticmethod(axe_check)
    visit = staticmethod(visit)
    submit = staticmethod(submit)
    path_of = staticmethod(path_of)
    login = staticmethod(login)
    logout = staticmethod(logout)


@pytest.fixture(scope="session")
def browse() -> type[Browse]:
    return Browse
