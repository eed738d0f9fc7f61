"""Command-line tools: users create, demo seed, places load."""
import sqlalchemy as sa

from recosa_learn.accounts.models import User


def test_users_create_reads_the_password_from_stdin(runner, db, places):
    result = runner.invoke(args=["users", "create", "--email", "Boss@Example.org", "--role", "admin"],
                           input="a strong admin passphrase\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "boss@example.org"))
    assert user.role_names == ["admin"]
    from recosa_learn.accounts.services import check_password

    assert check_password(user, "a strong admin passphrase")


def test_users_create_refuses_a_weak_password_and_duplicates(runner, db, places):
    weak = runner.invoke(args=["users", "create", "--email", "a@example.org"], input="short\n")
    assert weak.exit_code != 0 and "10" in weak.output  # "Utilisez au moins 10 caractères." (French by default)
    ok = runner.invoke(args=["users", "create", "--email", "a@example.org", "--role", "trainer", "--country", "sn"],
                       input="a strong passphrase\n")
    assert ok.exit_code == 0, ok.output
    assert db.session.scalar(sa.select(User).where(User.email == "a@example.org")).grants[0].country_code == "SN"
    again = runner.invoke(args=["users", "create", "--email", "A@example.org"], input="a strong passphrase\n")
    assert again.exit_code != 0 and "existe déjà" in again.output  # French, the default language


def test_demo_seed_creates_the_fixed_accounts_once(app, runner, db):
    from recosa_learn.demo.cli import DEMO_PASSWORD, demo_accounts

    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    emails = set(db.session.scalars(sa.select(User.email)))
    expected = {"admin@example.org", "coordinator@example.org"} | {
        f"{role}.{cc}@example.org" for role in ("coordinator", "trainer", "trainee") for cc in ("ma", "ci", "ml", "sn")}
    assert expected <= emails
    assert {a["email"] for a in demo_accounts()} == expected
    count = len(emails)
    second = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert second.exit_code == 0 and "nothing to do" in second.output
    runner.invoke(args=["demo", "seed"])
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == count
    from conftest import csrf_token

    client = app.test_client()
    response = client.post("/login", data={"email": "trainee.sn@example.org", "password": DEMO_PASSWORD,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302


def test_demo_seed_is_refused_in_production(app, runner, db):
    app.config["ENV_NAME"] = "production"
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code != 0 and "refused in production" in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_places_load(runner, db):
    result = runner.invoke(args=["places", "load"])
    assert result.exit_code == 0 and "4 countries" in result.output
    assert "0 countries" in runner.invoke(args=["places", "load"]).output
