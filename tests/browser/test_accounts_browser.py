"""End-to-end journeys in headless Chromium: demo logins, languages, registration, keyboard use, small screens."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

MANAGERS = {"/users/invite", "/users", "/places/", "/audit", "/profile"}
#: demo account → (name, nav links it must show, nav links it must not show); hrefs, as link texts are translated
ROLE_NAV = {
    "admin@example.org": ("Admin", MANAGERS, set()),
    "coordinator@example.org": ("Coordination régionale", MANAGERS, set()),
    "coordinator.sn@example.org": ("Aminata Ndiaye", MANAGERS, set()),
    "trainer.ml@example.org": ("Moussa Coulibaly", {"/users/invite", "/profile"}, {"/users", "/places/", "/audit"}),
    "trainee.ci@example.org": ("Mariam Traoré", {"/profile"}, {"/users/invite", "/users", "/places/", "/audit"}),
}
NEW_PASSWORD = "baobab-sable-2025"


def nav_hrefs(page, selector: str = "nav.main-nav a[href]") -> list[str]:
    """The hrefs of the main menu's links, in order."""
    return page.locator(selector).evaluate_all("links => links.map(a => a.getAttribute('href'))")


@pytest.mark.parametrize("email", list(ROLE_NAV))
def test_login_each_demo_role(page, browse, email):
    name, required, forbidden = ROLE_NAV[email]
    browse.login(page, email)
    assert name in page.locator("main h1").inner_text()
    hrefs = nav_hrefs(page)
    assert hrefs[0] == "/"
    assert required <= set(hrefs), f"{email} misses {required - set(hrefs)} in {hrefs}"
    assert not forbidden & set(hrefs), f"{email} must not see {forbidden & set(hrefs)}"
    for href in hrefs:
        browse.visit(page, href)
        assert href in nav_hrefs(page, "nav.main-nav a[aria-current=page]"), f"{href} is not marked as current"
    browse.logout(page)
    browse.visit(page, "/profile")  # now anonymous: sent to the login form
    assert browse.path_of(page).startswith("/login?next=")


def test_arabic_is_rtl(page, browse):
    page.set_viewport_size({"width": 1024, "height": 700})
    browse.visit(page, "/login")
    assert page.locator("html[dir=ltr][lang=fr]").count() == 1
    browse.submit(page, "nav.languages a[hreflang=ar]")
    assert browse.path_of(page) == "/login", "the switcher must keep the person on the same page"
    assert page.locator("html[dir=rtl][lang=ar]").count() == 1
    assert page.locator("nav.languages a[hreflang=ar]").get_attribute("aria-current") == "true"
    brand = page.locator("a.brand").bounding_box()
    assert brand["x"] > 1024 / 2, f"the brand should sit on the right in Arabic, found at x={brand['x']}"
    first, second = (page.locator("nav.main-nav li").nth(i).bounding_box() for i in (0, 1))
    assert first["x"] > second["x"], "the main menu should run from right to left"
    browse.visit(page, "/register")  # the choice is remembered for the session
    assert page.locator("html[dir=rtl][lang=ar]").count() == 1


def fill_identity(page, name: str, email: str) -> None:
    """Type the name and email of a new trainee."""
    page.fill("input[name=name]", name)
    page.fill("input[name=email]", email)


def fill_password(page) -> None:
    """Type the new password twice (a refreshed form never sends passwords back)."""
    page.fill("input[name=password]", NEW_PASSWORD)
    page.fill("input[name=confirm]", NEW_PASSWORD)


def assert_registered(page, browse, name: str) -> None:
    """The new trainee is logged in on the home page, with the chosen municipality shown."""
    assert browse.path_of(page) == "/"
    assert name in page.locator("main h1").inner_text()
    assert "Kaolack" in page.locator("main").inner_text()
    assert page.locator("form[action='/logout']").count() == 1


def test_register_trainee_with_js(page, browse):
    browse.visit(page, "/register")
    assert page.locator("button[name=refine], input[name=refine]").is_hidden(), "JS fills the lists by itself"
    fill_identity(page, "Fatou Sarr", "fatou.sarr@example.org")
    page.select_option("select[name=country]", label="Sénégal")
    page.wait_for_selector("select[name=region] option[value=SN-KL]", state="attached")
    page.select_option("select[name=region]", value="SN-KL")
    page.locator("select[name=municipality] option", has_text="Kaolack").first.wait_for(state="attached")
    page.select_option("select[name=municipality]", label="Kaolack")
    browse.axe_check(page)  # the filled-in form
    fill_password(page)
    browse.submit(page, "input[name=submit]")
    assert_registered(page, browse, "Fatou Sarr")


def test_register_trainee_without_js(page_nojs, browse):
    page = page_nojs
    browse.visit(page, "/register")
    refine = "input[name=refine], button[name=refine]"
    assert page.locator(refine).is_visible(), "without JS the “Update the lists” button is needed"
    fill_identity(page, "Cheikh Fall", "cheikh.fall@example.org")
    page.select_option("select[name=country]", label="Sénégal")
    browse.submit(page, refine)
    assert page.locator("select[name=country]").input_value() == "SN"
    page.select_option("select[name=region]", value="SN-KL")
    browse.submit(page, refine)
    assert page.locator("select[name=region]").input_value() == "SN-KL"
    assert page.locator("input[name=name]").input_value() == "Cheikh Fall", "typed fields survive the refresh"
    page.select_option("select[name=municipality]", label="Kaolack")
    fill_password(page)
    browse.submit(page, "input[name=submit]")
    assert_registered(page, browse, "Cheikh Fall")


def focused(page, prop: str = "outerHTML") -> str:
    """A property of the element that has the keyboard focus."""
    return page.evaluate(f"() => document.activeElement && document.activeElement.{prop}")


def test_keyboard_only_login(page, browse):
    browse.visit(page, "/login")
    skip = page.locator("a.skip-link")
    assert skip.bounding_box()["y"] + skip.bounding_box()["height"] <= 0, "the skip link hides until focused"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('skip-link')"), focused(page)
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["height"] > 0, "the focused skip link must be on screen"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'main'")
    page.keyboard.press("Tab")
    assert focused(page, "name") == "email", focused(page)
    page.keyboard.type("trainee.sn@example.org")
    page.keyboard.press("Tab")
    assert focused(page, "name") == "password", focused(page)
    page.keyboard.type("recosa-demo")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    browse.axe_check(page)
    assert browse.path_of(page) == "/"
    assert "Khady Sow" in page.locator("main h1").inner_text()


def assert_no_horizontal_scroll(page, width: int) -> None:
    """The page fits the viewport width: no sideways scrolling on a small phone."""
    scroll = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways at {width}px (content is {scroll}px wide)"


def test_mobile_320(page, browse):
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/", "/register", "/login"):
        browse.visit(page, path)
        assert_no_horizontal_scroll(page, 320)
    browse.login(page, "coordinator@example.org")  # the widest pages: tables of countries, people, changes
    assert_no_horizontal_scroll(page, 320)
    for href in sorted(MANAGERS):
        browse.visit(page, href)
        assert_no_horizontal_scroll(page, 320)


def test_coordinator_adds_municipality(page, browse):
    browse.login(page, "coordinator.sn@example.org")
    browse.visit(page, "/places/")
    browse.submit(page, "main a[href='/places/SN']")
    browse.submit(page, "main a[href='/places/SN/municipalities/new']")
    page.select_option("select[name=region]", value="SN-KL")
    page.fill("input[name=name_fr]", "Nioro du Rip")
    page.fill("input[name=name_en]", "Nioro du Rip")
    page.fill("input[name=name_ar]", "نيورو دو ريب")
    browse.submit(page, "main input[type=submit]")
    assert browse.path_of(page) == "/places/SN"
    assert "Nioro du Rip" in page.locator(".flashes").inner_text()
    region = page.locator("section", has=page.locator("h2", has_text="SN-KL"))
    assert "Nioro du Rip" in region.locator("ul.towns").inner_text()
    browse.visit(page, "/places/ML", status=403)
    assert page.locator("main h1").count() == 1


@pytest.mark.parametrize("fixture", ["page", "page_nojs"])
def test_axe_check_reports_violations(request, browse, fixture):
    """The accessibility gate itself: an image without text must fail it, with or without JavaScript."""
    page = request.getfixturevalue(fixture)
    browse.visit(page, "/login")
    pixel = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
    page.evaluate("src => { const img = document.createElement('img'); img.src = src; "
                  "document.querySelector('main').append(img); }", pixel)
    with pytest.raises(pytest.fail.Exception, match=r"image-alt \(critical\)"):
        browse.axe_check(page)
