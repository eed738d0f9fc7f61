"""Site-wide behaviour: health check, error pages, languages, security headers, static files."""
import gzip
import re

import pytest
import sqlalchemy as sa


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_does_not(tmp_path):
    from conftest import make_app

    broken = make_app(f"sqlite:///{tmp_path}/missing-dir/nothing.sqlite3")
    with broken.app_context():
        response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


@pytest.mark.parametrize("lang, text", [("fr", "Page introuvable"), ("en", "Page not found"), ("ar", "الصفحة غير موجودة")])
def test_404_page_in_the_users_language(client, places, lang, text):
    response = client.get(f"/no-such-page?lang={lang}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert text in html and f'lang="{lang}"' in html and 'class="skip-link"' in html


def test_json_clients_get_json_errors(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.get_json()["error"]


def test_500_page_rolls_back_and_says_nothing_is_lost(app, client):
    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "Nothing you saved before is lost" in response.get_data(as_text=True)


def test_browser_language_is_used_when_nothing_else_says(client, places):
    html = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html
    html = client.get("/login", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in html
    assert "Se connecter" in html or "Connexion" in html


def test_language_switch_link_keeps_the_page_and_refuses_other_sites(client, places):
    response = client.get("/language/ar?next=/login")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert 'dir="rtl"' in client.get("/login").get_data(as_text=True)
    assert client.get("/language/en?next=https://evil.example/").headers["Location"] == "/"


def test_security_headers(client, places):
    response = client.get("/login")
    headers = response.headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"


def test_hsts_only_over_https(client, places):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    assert "max-age" in client.get("/login", base_url="https://localhost").headers["Strict-Transport-Security"]


def test_static_files_are_versioned_compressed_and_cached(client, places):
    html = client.get("/login").get_data(as_text=True)
    import re

    css_url = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', html).group(1)
    response = client.get(css_url, headers={"Accept-Encoding": "gzip, br"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"]
    assert b":root" in gzip.decompress(response.get_data())
    response.close()


def test_production_refuses_the_default_secret_key():
    from recosa_learn import create_app

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"ENV_NAME": "production", "SECRET_KEY": "dev-only-change-me", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"ENV_NAME": "production", "SECRET_KEY": "", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    app = create_app({"ENV_NAME": "production", "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["ENV_NAME"] == "production"


def test_home_page_fits_each_role(login_as):
    trainee, _ = login_as("trainee", "MA")
    html = trainee.get("/").get_data(as_text=True)
    assert "Oujda" in html and 'href="/users"' not in html
    coordinator, _ = login_as("coordinator", "SN")
    html = coordinator.get("/").get_data(as_text=True)
    rows = re.findall(r'<th scope="row">([^<]+)</th>', html)
    assert 'href="/users"' in html and rows == ["Sénégal"]
    admin, _ = login_as("admin", None)
    rows = re.findall(r'<th scope="row">([^<]+)</th>', admin.get("/").get_data(as_text=True))
    assert rows == ["Maroc", "Côte d&#39;Ivoire", "Mali", "Sénégal"]


def test_database_has_the_expected_tables(db):
    names = set(sa.inspect(db.engine).get_table_names())
    assert {"users", "role_grants", "countries", "regions", "municipalities", "audit_events"} <= names


def test_pages_are_gzipped_for_browsers_that_accept_it(client, places):
    plain = client.get("/login")
    packed = client.get("/login", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    # the same page, but for the signed CSRF token, which carries the second it was made
    token = re.compile(rb'name="csrf_token"[^>]*value="[^"]*"')
    assert token.sub(b"", gzip.decompress(packed.get_data())) == token.sub(b"", plain.get_data())
    assert len(packed.get_data()) < len(plain.get_data()) / 2
