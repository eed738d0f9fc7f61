"""Every route of ``app.url_map``, for every role: the expected status.

A route missing from EXPECTED fails the test, so each new route must declare who may use it.
Roles: anonymous, trainee (MA), trainer (MA), coordinator of the object's country (MA), coordinator of another
country (SN), admin. Objects (a user, a municipality, a role grant) all belong to Morocco.
"""
from __future__ import annotations

import pytest
from conftest import csrf_token, login, municipality

ROLES = ("anonymous", "trainee", "trainer", "coordinator", "other_coordinator", "admin")

OK = "ok"  # allowed: the view ran (2xx, a redirect that is not to the login page, or a 400 form error)
LOGIN = "login"  # redirected to the login page
PUBLIC = dict.fromkeys(ROLES, OK)
SIGNED_IN = {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], OK)}
REDIRECT = dict.fromkeys(ROLES, "redirect")
ANON_ONLY = {"anonymous": OK, **dict.fromkeys(ROLES[1:], "redirect")}
COORDINATORS = {"anonymous": LOGIN, "trainee": 403, "trainer": 403, "coordinator": OK, "other_coordinator": OK,
                "admin": OK}
#: objects in Morocco: the other country's coordinator must not even learn they exist
COUNTRY_OBJECT = {**COORDINATORS, "other_coordinator": 404}
COUNTRY_OBJECT_403 = {**COORDINATORS, "other_coordinator": 403}
INVITERS = {"anonymous": LOGIN, "trainee": 403, "trainer": OK, "coordinator": OK, "other_coordinator": OK,
            "admin": OK}

#: (endpoint, method) -> expected status per role
EXPECTED: dict[tuple[str, str], dict[str, object]] = {
    ("static", "GET"): PUBLIC,
    ("core.home", "GET"): PUBLIC,
    ("core.healthz", "GET"): PUBLIC,
    ("core.set_language", "GET"): REDIRECT,
    ("accounts.login", "GET"): ANON_ONLY,
    ("accounts.login", "POST"): ANON_ONLY,
    ("accounts.logout", "POST"): dict.fromkeys(ROLES, LOGIN),
    ("accounts.register", "GET"): ANON_ONLY,
    ("accounts.register", "POST"): ANON_ONLY,
    # an invalid token: sent back to the login page, whoever asks
    ("accounts.accept_invitation", "GET"): dict.fromkeys(ROLES, LOGIN),
    ("accounts.accept_invitation", "POST"): dict.fromkeys(ROLES, LOGIN),
    ("accounts.request_reset", "GET"): PUBLIC,
    ("accounts.request_reset", "POST"): PUBLIC,
    ("accounts.reset_password", "GET"): REDIRECT,
    ("accounts.reset_password", "POST"): REDIRECT,
    ("accounts.profile", "GET"): SIGNED_IN,
    ("accounts.profile", "POST"): SIGNED_IN,
    ("accounts.change_password", "POST"): SIGNED_IN,
    ("accounts.my_data", "GET"): SIGNED_IN,
    ("accounts.users", "GET"): COORDINATORS,
    ("accounts.user_detail", "GET"): COUNTRY_OBJECT,
    ("accounts.grant", "POST"): COUNTRY_OBJECT,
    ("accounts.revoke", "POST"): COUNTRY_OBJECT,
    ("accounts.set_active", "POST"): COUNTRY_OBJECT,
    ("accounts.invite", "GET"): INVITERS,
    ("accounts.invite", "POST"): INVITERS,
    ("accounts.audit_log", "GET"): COORDINATORS,
    ("places.options", "GET"): PUBLIC,
    ("places.index", "GET"): COORDINATORS,
    ("places.country", "GET"): COUNTRY_OBJECT_403,
    ("places.new_municipality", "GET"): COUNTRY_OBJECT_403,
    ("places.new_municipality", "POST"): COUNTRY_OBJECT_403,
    ("places.edit_municipality", "GET"): COUNTRY_OBJECT_403,
    ("places.edit_municipality", "POST"): COUNTRY_OBJECT_403,
    ("places.set_active", "POST"): COUNTRY_OBJECT_403,
    ("places.import_csv", "GET"): COUNTRY_OBJECT_403,
    ("places.import_csv", "POST"): COUNTRY_OBJECT_403,
}


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_is_in_the_matrix(app):
    missing = sorted({(rule.endpoint, method) for rule, method in _routes(app)} - set(EXPECTED))
    assert not missing, f"routes without expected permissions: {missing}"
    stale = sorted(set(EXPECTED) - {(rule.endpoint, method) for rule, method in _routes(app)})
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"


@pytest.fixture
def world(app, make_user, db):
    """Moroccan objects every parametrised URL points at, and one user per role."""
    target = make_user("trainee", "MA", email="target@example.org")
    users = {
        "trainee": make_user("trainee", "MA"),
        "trainer": make_user("trainer", "MA"),
        "coordinator": make_user("coordinator", "MA"),
        "other_coordinator": make_user("coordinator", "SN"),
        "admin": make_user("admin", None),
    }
    values = {
        "user_id": target.id,
        "grant_id": target.grants[0].id,
        "municipality_id": municipality("MA-SALE").id,
        "country_code": "MA",
        "filename": "css/app.css",
        "lang": "en",
        "token": "not-a-valid-token",
    }
    return users, values


def _url(app, rule, values):
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{arg: values[arg] for arg in rule.arguments})


def _classify(response, expected) -> object:
    if response.status_code in (301, 302, 303):
        if "/login" in response.headers["Location"].split("?")[0]:
            return LOGIN
        return "redirect" if expected == "redirect" else OK  # a redirect after a successful POST
    if response.status_code < 300 or response.status_code == 400:
        return OK
    return response.status_code


CASES = [(endpoint, method, role) for (endpoint, method) in EXPECTED for role in ROLES]


@pytest.mark.parametrize(("endpoint", "method", "role"), CASES, ids=[f"{e}-{m}-{r}" for e, m, r in CASES])
def test_permission(app, world, endpoint, method, role):
    users, values = world
    rule = next(rule for rule, m in _routes(app) if rule.endpoint == endpoint and m == method)
    client = app.test_client()
    if role != "anonymous":
        login(client, users[role])
    url = _url(app, rule, values)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": csrf_token(client, "/reset")})
    expected = EXPECTED[(endpoint, method)][role]
    got = _classify(response, expected)
    response.close()
    assert got == expected, f"{method} {url} as {role}: got {response.status_code} ({got}), expected {expected}"
