"""Accounts through the test client: login, registration, invitations, reset, profile, user management."""
from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from conftest import PASSWORD, csrf_token, login, municipality

from recosa_learn.accounts.models import AuditEvent, User


def _post_login(client, email, password):
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)})


# --- login ---------------------------------------------------------------------------------------

def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    user = make_user("trainee", "MA")
    wrong = _post_login(client, user.email, "not the password")
    unknown = _post_login(client, "nobody@example.org", "not the password")
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "Wrong email or password." in response.get_data(as_text=True)


def test_login_is_case_insensitive_on_email(client, make_user):
    user = make_user("trainee", "MA")
    response = _post_login(client, user.email.upper(), PASSWORD)
    assert response.status_code == 302
    assert "Bonjour" in client.get("/").get_data(as_text=True)  # the user's own language setting: French


@pytest.mark.parametrize("target, expected", [
    ("/profile", "/profile"),
    ("//evil.example/x", "/"),
    ("https://evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_redirect_stays_on_this_site(client, make_user, target, expected):
    user = make_user("trainee", "MA")
    token = csrf_token(client)
    response = client.post("/login", query_string={"next": target},
                           data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_login_is_rate_limited(client, make_user):
    user = make_user("trainee", "MA")
    token = csrf_token(client)
    codes = [client.post("/login", data={"email": user.email, "password": "wrong-password", "csrf_token": token})
             .status_code for _ in range(11)]
    assert codes[:10] == [400] * 10
    assert codes[10] == 429
    assert "Too many attempts" in client.post("/login", data={"csrf_token": token}).get_data(as_text=True)


def test_deactivated_account_cannot_log_in_and_is_signed_out(app, make_user, db):
    user = make_user("trainee", "MA")
    client = login(app.test_client(), user)
    user.is_active = False
    user.rotate_session()
    db.session.commit()
    assert client.get("/profile").status_code == 302  # the old session no longer works
    assert _post_login(app.test_client(), user.email, PASSWORD).status_code == 400


def test_session_cookie_flags(client, make_user):
    user = make_user("trainee", "MA")
    response = _post_login(client, user.email, PASSWORD)
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout(client, make_user):
    user = make_user("trainee", "MA")
    login(client, user)
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/profile")})
    assert response.status_code == 302
    assert client.get("/profile").status_code == 302


# --- registration --------------------------------------------------------------------------------

def _register(client, **overrides):
    town = municipality("SN-KAOLACK")
    data = {"name": "Awa Diallo", "email": "awa@example.org", "language": "fr", "country": "SN",
            "region": town.region.code, "municipality": str(town.id), "password": "a long passphrase",
            "confirm": "a long passphrase", "sex": "female", "age_band": "18-24", "profile": "youth",
            "csrf_token": csrf_token(client, "/register"), "submit": "1"}
    data.update(overrides)
    return client.post("/register", data=data)


def test_register_narrows_places_without_javascript(client, places):
    token = csrf_token(client, "/register")
    page = client.post("/register", data={"country": "SN", "refine": "1", "csrf_token": token})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Kaolack" in html and "Oujda" not in html
    region = municipality("SN-KAOLACK").region.code
    html = client.post("/register", data={"country": "SN", "region": region, "refine": "1",
                                          "csrf_token": token}).get_data(as_text=True)
    assert f'value="{municipality("SN-KAOLACK").id}"' in html


def test_register_creates_a_trainee_in_the_municipality(client, db, places):
    response = _register(client)
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "awa@example.org"))
    assert user.role_names == ["trainee"]
    assert user.municipality.code == "SN-KAOLACK"
    assert (user.sex, user.age_band, user.profile) == ("female", "18-24", "youth")
    assert "Awa Diallo" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("overrides, message", [
    ({"municipality": ""}, "Choose your municipality."),
    ({"password": "short", "confirm": "short"}, "Use at least 10 characters."),
    ({"confirm": "something else entirely"}, "The two passwords differ."),
    ({"email": "not-an-address"}, "is not a valid email address"),
    ({"municipality": "999999"}, "Choose your municipality."),
])
def test_register_refuses_bad_input_with_a_clear_message(client, db, places, overrides, message):
    response = _register(client, **overrides)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_register_refuses_an_existing_email_whatever_its_case(client, make_user):
    make_user("trainee", "SN", email="awa@example.org")
    response = _register(client, email="AWA@Example.org")
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)


def test_self_registration_can_be_switched_off(app, places):
    app.config["SELF_REGISTRATION"] = False
    assert app.test_client().get("/register").status_code == 404


# --- invitations and password reset -------------------------------------------------------------

def _link(outbox, path):
    body = outbox[-1].body
    match = re.search(rf"https?://[^\s]+{path}/[^\s]+", body)
    assert match, body
    return match.group(0).split("://", 1)[1].split("/", 1)[1]


def test_invitation_flow(app, login_as, db, outbox):
    client, coordinator = login_as("coordinator", "SN")
    token = csrf_token(client, "/users/invite")
    response = client.post("/users/invite", data={
        "people": "Awa Diallo, awa@example.org, Kaolack\nMoussa Ba; moussa@example.org; SN-DAKAR\n",
        "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert len(outbox) == 2
    invited = db.session.scalar(sa.select(User).where(User.email == "moussa@example.org"))
    assert invited.password_hash is None and invited.municipality.code == "SN-DAKAR"
    link = "/" + _link(outbox, "invitation")
    newcomer = app.test_client()
    page = newcomer.get(link)
    assert page.status_code == 200
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = newcomer.post(link, data={"password": "moussa's passphrase", "confirm": "moussa's passphrase",
                                         "csrf_token": token})
    assert response.status_code == 302
    assert "Moussa Ba" in newcomer.get("/").get_data(as_text=True)
    # the link works once
    assert app.test_client().get(link).status_code == 302
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "users.invite")) is not None


def test_invitation_with_a_bad_line_saves_nothing(app, login_as, db, outbox):
    client, coordinator = login_as("coordinator", "SN")
    token = csrf_token(client, "/users/invite")
    before = db.session.scalar(sa.select(sa.func.count(User.id)))
    response = client.post("/users/invite?lang=en", data={
        "people": "Awa Diallo, awa@example.org, Kaolack\nNo Email, not-an-email, Kaolack\n"
                  "Far Away, far@example.org, Oujda\nShort line\n", "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Line 2:" in html and "Line 3:" in html and "Line 4:" in html
    assert "You may not invite people in Oujda" in html
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == before
    assert not outbox


def test_invitation_from_an_uploaded_csv(app, login_as, db):
    import io

    client, trainer = login_as("trainer", "MA")
    token = csrf_token(client, "/users/invite")
    data = {"csrf_token": token,
            "file": (io.BytesIO("name,email,municipality\nSalma,salma@example.org,Salé\n".encode("utf-8-sig")),
                     "people.csv")}
    response = client.post("/users/invite", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    salma = db.session.scalar(sa.select(User).where(User.email == "salma@example.org"))
    assert salma.invited_by_id == trainer.id and salma.municipality.code == "MA-SALE"


def test_invitation_rejects_a_file_that_is_not_utf8(app, login_as):
    import io

    client, _ = login_as("trainer", "MA")
    data = {"csrf_token": csrf_token(client, "/users/invite"),
            "file": (io.BytesIO("Salma,salma@example.org,Salé\n".encode("utf-16")), "people.csv")}
    response = client.post("/users/invite", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "UTF-8" in response.get_data(as_text=True)


def test_password_reset_flow(app, make_user, client, outbox):
    user = make_user("trainee", "MA")
    token = csrf_token(client, "/reset")
    for email in (user.email, "unknown@example.org"):
        response = client.post("/reset", data={"email": email, "csrf_token": token})
        assert response.status_code == 302
    assert len(outbox) == 1 and outbox[0].to == [user.email]
    link = "/" + _link(outbox, "reset")
    page = client.get(link)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
    assert client.post(link, data={"password": "a brand new passphrase", "confirm": "a brand new passphrase",
                                   "csrf_token": token}).status_code == 302
    assert _post_login(app.test_client(), user.email, "a brand new passphrase").status_code == 302
    assert client.get(link).status_code == 302  # used: refused
    assert client.get("/reset/garbage").status_code == 302


# --- profile -------------------------------------------------------------------------------------

def test_profile_change_language_and_download_data(login_as, db):
    client, user = login_as("trainee", "MA")
    token = csrf_token(client, "/profile")
    response = client.post("/profile", data={"name": "Salma I.", "language": "ar", "sex": "undisclosed",
                                             "age_band": "", "profile": "", "submit": "1", "csrf_token": token})
    assert response.status_code == 302
    assert 'lang="ar" dir="rtl"' in client.get("/profile").get_data(as_text=True)
    data = json.loads(client.get("/profile/data.json").get_data(as_text=True))
    assert data["name"] == "Salma I." and data["language"] == "ar" and data["sex"] == "undisclosed"
    assert data["municipality"] == "Oujda" and data["roles"] == [{"role": "trainee", "country": "all"}]


def test_change_password_signs_out_other_sessions(app, login_as):
    client, user = login_as("trainee", "MA")
    other = login(app.test_client(), user)
    token = csrf_token(client, "/profile")
    bad = client.post("/profile/password?lang=en", data={"pw-current": "wrong", "pw-password": "another passphrase",
                                                 "pw-confirm": "another passphrase", "csrf_token": token})
    assert bad.status_code == 400 and "The current password is wrong." in bad.get_data(as_text=True)
    good = client.post("/profile/password", data={"pw-current": PASSWORD, "pw-password": "another passphrase",
                                                  "pw-confirm": "another passphrase", "csrf_token": token})
    assert good.status_code == 302
    assert client.get("/profile").status_code == 200
    assert other.get("/profile").status_code == 302


# --- user management -----------------------------------------------------------------------------

def test_coordinator_sees_only_their_countries(login_as, make_user):
    client, _ = login_as("coordinator", "SN")
    make_user("trainee", "SN", name="Khady Senegal")
    make_user("trainee", "MA", name="Nadia Morocco")
    make_user("trainer", "SN", name="Trainer Senegal")
    html = client.get("/users").get_data(as_text=True)
    assert "Khady Senegal" in html and "Trainer Senegal" in html
    assert "Nadia Morocco" not in html
    assert "Khady" in client.get("/users?q=khady").get_data(as_text=True)
    assert "Trainer Senegal" not in client.get("/users?q=khady").get_data(as_text=True)


def test_users_list_paginates_with_constant_queries(app, login_as, make_user, queries):
    client, _ = login_as("coordinator", "MA")
    for _ in range(30):
        make_user("trainee", "MA")
    with queries() as first:
        assert client.get("/users").status_code == 200
    for _ in range(30):
        make_user("trainer", "MA")
    with queries() as second:
        page2 = client.get("/users?page=2")
    assert page2.status_code == 200
    assert len(first) == len(second) <= 8


def test_grant_and_revoke_within_scope(login_as, make_user, db):
    client, coordinator = login_as("coordinator", "MA")
    target = make_user("trainee", "MA")
    token = csrf_token(client, f"/users/{target.id}")
    assert client.post(f"/users/{target.id}/roles", data={"role": "trainer", "country": "MA",
                                                          "csrf_token": token}).status_code == 302
    db.session.refresh(target)
    assert target.has_role("trainer")
    assert client.post(f"/users/{target.id}/roles", data={"role": "trainer", "country": "SN",
                                                          "csrf_token": token}).status_code == 403
    assert client.post(f"/users/{target.id}/roles", data={"role": "admin", "country": "",
                                                          "csrf_token": token}).status_code == 400
    grant = next(g for g in target.grants if g.role == "trainer")
    assert client.post(f"/users/{target.id}/roles/{grant.id}/revoke", data={"csrf_token": token}).status_code == 302
    db.session.refresh(target)
    assert not target.has_role("trainer")
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["role.grant", "role.revoke"]


def test_coordinator_deactivates_and_reactivates_keeping_records(app, login_as, make_user, db):
    client, coordinator = login_as("coordinator", "MA")
    target = make_user("trainee", "MA")
    token = csrf_token(client, f"/users/{target.id}")
    assert client.post(f"/users/{target.id}/active", data={"active": "0", "csrf_token": token}).status_code == 302
    db.session.refresh(target)
    assert not target.is_active
    assert _post_login(app.test_client(), target.email, PASSWORD).status_code == 400
    assert client.post(f"/users/{target.id}/active", data={"active": "1", "csrf_token": token}).status_code == 302
    db.session.refresh(target)
    assert target.is_active
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 2


def test_coordinator_cannot_manage_another_country(login_as, make_user):
    client, _ = login_as("coordinator", "SN")
    target = make_user("trainee", "MA")
    assert client.get(f"/users/{target.id}").status_code == 404
    token = csrf_token(client, "/profile")
    assert client.post(f"/users/{target.id}/active", data={"active": "0", "csrf_token": token}).status_code == 404


def test_audit_log_is_scoped(login_as, make_user, db):
    from recosa_learn.accounts.services import audit

    audit(None, "role.grant", None, country="MA", role="trainer")
    audit(None, "role.grant", None, country="SN", role="trainer")
    db.session.commit()
    client, _ = login_as("coordinator", "SN")
    html = client.get("/audit").get_data(as_text=True)
    assert html.count("role.grant") == 1


def test_invitation_lines_may_use_arabic_separators(app, places):
    from recosa_learn.accounts.permissions import ALL, Scope
    from recosa_learn.accounts.services import parse_invitations

    report = parse_invitations("سلمى الإدريسي، salma@example.org، وجدة\nKarim؛ karim@example.org؛ MA-SALE\n",
                               Scope({ALL}))
    assert not report.errors
    assert [(row.name, row.email, row.municipality.code) for row in report.rows] == [
        ("سلمى الإدريسي", "salma@example.org", "MA-OUJDA"), ("Karim", "karim@example.org", "MA-SALE")]
