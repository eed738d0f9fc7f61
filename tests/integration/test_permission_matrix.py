"""Every route of ``app.url_map``, for every role: the expected status.

A route missing from EXPECTED fails the test, so each new route must declare who may use it.
Roles: anonymous, trainee (MA), trainer (MA), coordinator of the object's country (MA), coordinator of another
country (SN), admin. Objects (a user, a municipality, a role grant) all belong to Morocco.
"""
from __future__ import annotations

import shutil

import pytest
from conftest import PASSWORD, csrf_token, login, make_app, municipality

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

#: authoring (trainers and admins; a Moroccan adaptation)
AUTHORS = {"anonymous": LOGIN, "trainee": 403, "trainer": OK, "coordinator": 403, "other_coordinator": 403,
           "admin": OK}
#: authoring of base courses: admins and trainers of all countries only (the matrix's trainer is Moroccan)
BASE_AUTHORS = {**AUTHORS, "trainer": 403}

#: (endpoint, method) -> expected status per role
EXPECTED: dict[tuple[str, str], dict[str, object]] = {
    ("static", "GET"): PUBLIC,
    # content: lesson images, public (learners' pages use them), addressed by content hash
    ("content.media", "GET"): PUBLIC,
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
    # authoring: trainers of the object's country (MA) and admins; everyone else 403 (other countries' trainers: 404)
    ("authoring.index", "GET"): AUTHORS,
    ("authoring.create", "POST"): AUTHORS,
    ("authoring.adaptation", "GET"): AUTHORS,
    ("authoring.item", "GET"): AUTHORS,
    ("authoring.item", "POST"): AUTHORS,
    ("authoring.hide", "POST"): AUTHORS,
    ("authoring.course_texts", "GET"): AUTHORS,
    ("authoring.course_texts", "POST"): AUTHORS,
    ("authoring.settings", "POST"): AUTHORS,
    ("authoring.conflict", "GET"): AUTHORS,
    ("authoring.conflict", "POST"): AUTHORS,
    ("authoring.remove", "POST"): AUTHORS,
    ("authoring.local_lesson", "GET"): AUTHORS,
    ("authoring.local_lesson", "POST"): AUTHORS,
    ("authoring.local_question", "GET"): AUTHORS,
    ("authoring.local_question", "POST"): AUTHORS,
    ("authoring.local_module", "GET"): AUTHORS,
    ("authoring.local_module", "POST"): AUTHORS,
    # an added item's editor (any other change is sent on to its item's page)
    ("authoring.edit_override", "GET"): AUTHORS,
    ("authoring.edit_override", "POST"): AUTHORS,
    ("authoring.submit", "POST"): AUTHORS,
    ("authoring.publish", "POST"): AUTHORS,
    ("authoring.comment", "POST"): AUTHORS,
    ("authoring.preview", "GET"): AUTHORS,
    ("authoring.export", "GET"): AUTHORS,
    ("authoring.course", "GET"): BASE_AUTHORS,
    ("authoring.new_draft", "POST"): BASE_AUTHORS,
    ("authoring.draft", "GET"): BASE_AUTHORS,
    ("authoring.draft_item", "GET"): BASE_AUTHORS,
    ("authoring.draft_item", "POST"): BASE_AUTHORS,
    ("authoring.draft_move", "POST"): BASE_AUTHORS,
    ("authoring.draft_image", "POST"): BASE_AUTHORS,
    ("authoring.draft_add_question", "POST"): BASE_AUTHORS,
    ("authoring.draft_import_gift", "POST"): BASE_AUTHORS,
    ("authoring.draft_export_gift", "GET"): BASE_AUTHORS,
    ("authoring.draft_add_option", "POST"): BASE_AUTHORS,
    ("authoring.draft_correct", "POST"): BASE_AUTHORS,
    ("authoring.draft_quiz_settings", "POST"): BASE_AUTHORS,
    ("authoring.draft_remove", "GET"): BASE_AUTHORS,
    ("authoring.draft_remove", "POST"): BASE_AUTHORS,
    ("authoring.draft_add_module", "POST"): BASE_AUTHORS,
    ("authoring.draft_add_activity", "POST"): BASE_AUTHORS,
    ("authoring.draft_submit", "POST"): BASE_AUTHORS,
    ("authoring.draft_publish", "POST"): BASE_AUTHORS,
    ("authoring.draft_comment", "POST"): BASE_AUTHORS,
    ("authoring.version", "GET"): BASE_AUTHORS,
    ("authoring.restore", "POST"): BASE_AUTHORS,
    ("authoring.translations", "GET"): BASE_AUTHORS,
    # stats: dashboards and exports for coordinators (each sees their own countries), learner-level data for
    # admins only, cohorts for the trainer who teaches them and the coordinators of their country
    ("stats.dashboard", "GET"): COORDINATORS,
    ("stats.export", "GET"): COORDINATORS,
    ("stats.export_learners", "GET"): {**COORDINATORS, "coordinator": 403, "other_coordinator": 403},
    ("stats.xapi_export", "GET"): {**COORDINATORS, "coordinator": 403, "other_coordinator": 403},
    ("stats.subscriptions", "GET"): COORDINATORS,
    ("stats.subscriptions", "POST"): COORDINATORS,
    ("stats.cohort_list", "GET"): INVITERS,
    ("stats.new_cohort", "GET"): INVITERS,
    ("stats.new_cohort", "POST"): INVITERS,
    ("stats.cohort", "GET"): {**INVITERS, "other_coordinator": 404},
    ("stats.cohort_invite", "GET"): {**INVITERS, "other_coordinator": 404},
    ("stats.cohort_invite", "POST"): {**INVITERS, "other_coordinator": 404},
    # learn: any signed-in account may take courses; attempts and certificate files are their learner's only
    # (404 for everyone else, whatever their role); the certificate check is public; revoking is for the
    # coordinators of the certificate's country (the POST without a reason is a 400 form error: allowed)
    ("learn.catalog", "GET"): SIGNED_IN,
    ("learn.course", "GET"): SIGNED_IN,
    ("learn.enrol", "POST"): SIGNED_IN,
    ("learn.dashboard", "GET"): SIGNED_IN,
    ("learn.activity", "GET"): SIGNED_IN,
    ("learn.mark_done", "POST"): SIGNED_IN,
    ("learn.start_attempt", "POST"): SIGNED_IN,
    ("learn.attempt", "GET"): {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 404)},
    ("learn.question", "GET"): {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 404)},
    ("learn.question", "POST"): {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 404)},
    ("learn.summary", "GET"): {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 404)},
    ("learn.submit", "POST"): {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 404)},
    ("learn.review", "GET"): {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 404)},
    ("learn.certificate", "GET"): {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 404)},
    ("learn.verify", "GET"): PUBLIC,
    ("learn.revoke", "POST"): {**COUNTRY_OBJECT_403, "other_coordinator": 403},
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


def _user(role, country, email=None):
    from recosa_learn.accounts.services import create_user
    from recosa_learn.extensions import db

    _user.count = getattr(_user, "count", 0) + 1
    towns = {"MA": "MA-OUJDA", "SN": "SN-KAOLACK"}
    user = create_user(email=email or f"{role}{_user.count}@example.org", name=f"{role.title()} {_user.count}",
                       password=PASSWORD, municipality=municipality(towns[country]) if role == "trainee" else None,
                       roles=[(role, None if role in ("trainee", "admin") else country)])
    db.session.commit()
    return user


def _build_world(db):
    """Moroccan objects every parametrised URL points at, and one user per role."""
    target = _user("trainee", "MA", email="target@example.org")
    users = {
        "trainee": _user("trainee", "MA"),
        "trainer": _user("trainer", "MA"),
        "coordinator": _user("coordinator", "MA"),
        "other_coordinator": _user("coordinator", "SN"),
        "admin": _user("admin", None),
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
    # authoring: the example course with a Moroccan adaptation that replaces one title, and a base draft
    from pathlib import Path

    from recosa_learn.authoring import services as authoring
    from recosa_learn.content.importer import import_tree
    from recosa_learn.content.services import find_course

    import_tree(Path(__file__).resolve().parents[1] / "data" / "courses" / "example-course")
    course = find_course("example-course")
    version, base = authoring.current_base(course)
    adaptation = authoring.create_adaptation(course, "MA", None, version, base)
    row = authoring.set_replacement(adaptation, base, "basics/words", "title", "fr", "Les mots au Maroc", None)
    db.session.commit()
    from recosa_learn.authoring import drafts

    drafts.create_draft(course, version, None)
    db.session.commit()
    values.update(course_key=course.key, item_path="basics/words", override_id=row.id, number=1)
    # learn: the target trainee is enrolled, has an attempt at the quiz and a certificate (only they see the
    # attempt and download the certificate; the check page is public)
    from recosa_learn.content.services import current_version
    from recosa_learn.learn.models import Completion, Enrolment, QuizAttempt

    enrolment = Enrolment(user_id=target.id, course_id=course.id, country_code=None)
    db.session.add(enrolment)
    db.session.flush()
    quiz_attempt = QuizAttempt(enrolment_id=enrolment.id, activity_path="basics/check",
                               version_id=current_version(course, "MA").id)
    db.session.add_all([quiz_attempt, Completion(user_id=target.id, course_id=course.id, enrolment_id=enrolment.id,
                                                 country_code="MA", certificate_code="MATR-IXAB-CDEF")])
    db.session.commit()
    values.update(module_key="basics", activity_key="check", attempt_id=quiz_attempt.id, n=1,
                  code="MATR-IXAB-CDEF")
    # content: a lesson image of the example course imported above
    from sqlalchemy import select

    from recosa_learn.content.models import Media

    values.update(digest=db.session.scalar(select(Media.sha256).limit(1)), ext="svg")
    # stats: a Moroccan cohort taught by the trainer
    from recosa_learn.stats.models import Cohort

    cohort = Cohort(name="Atelier Salé", country_code="MA", municipality_id=values["municipality_id"],
                    trainer_id=users["trainer"].id)
    db.session.add(cohort)
    db.session.commit()
    values["cohort_id"] = cohort.id
    return users, values




@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The world, built once in a SQLite file that every case starts from (a copy costs a millisecond).

    Permissions do not depend on the database engine: the matrix runs on SQLite; every other database test
    also runs on PostgreSQL.
    """
    from flask_migrate import upgrade

    from recosa_learn.extensions import db
    from recosa_learn.places.services import load_reference_data

    path = tmp_path_factory.mktemp("matrix") / "template.sqlite3"
    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        upgrade()
        load_reference_data()
        db.session.commit()
        users, values = _build_world(db)
        emails = {role: user.email for role, user in users.items()}
        db.session.remove()
        db.engine.dispose()
    return path, emails, values


@pytest.fixture(scope="module")
def shared(template, tmp_path_factory):
    """One app for every case (building an app costs more than a case), its database file, and the session cookie
    of each role once logged in (the database is restored to the same users before every case, so it stays
    valid)."""
    path, emails, values = template
    case = tmp_path_factory.mktemp("case") / "case.sqlite3"
    shutil.copyfile(path, case)
    return make_app(f"sqlite:///{case}"), case, {}


@pytest.fixture
def world(template, shared):
    """A fresh copy of the world for one case: (app, users by role, URL values, session cookies by role)."""
    from types import SimpleNamespace

    from recosa_learn.extensions import db, limiter

    path, emails, values = template
    app, case, cookies = shared
    shutil.copyfile(path, case)
    with app.app_context():
        limiter.reset()  # each case starts with no login attempt counted
        yield app, {role: SimpleNamespace(email=email) for role, email in emails.items()}, values, cookies
        db.session.remove()
        db.engine.dispose()


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
def test_permission(world, endpoint, method, role):
    app, users, values, cookies = world
    rule = next(rule for rule, m in _routes(app) if rule.endpoint == endpoint and m == method)
    client = app.test_client()
    name = app.config["SESSION_COOKIE_NAME"]
    if role in cookies:
        client.set_cookie(name, cookies[role])
    elif role != "anonymous":
        login(client, users[role])
        cookies[role] = client.get_cookie(name).value
    url = _url(app, rule, values)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": csrf_token(client, "/reset")})
    expected = EXPECTED[(endpoint, method)][role]
    got = _classify(response, expected)
    response.close()
    assert got == expected, f"{method} {url} as {role}: got {response.status_code} ({got}), expected {expected}"
