"""``flask demo seed``: the fixed demo accounts (password ``recosa-demo``), so anyone can try the platform."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from ..accounts.models import User
from ..accounts.services import create_user, find_user_by_email
from ..extensions import db
from ..places.models import Municipality
from ..places.services import load_reference_data

DEMO_PASSWORD = "recosa-demo"
COUNTRIES = ("ma", "ci", "ml", "sn")
#: the demo trainee of each country lives in this municipality
TRAINEE_TOWNS = {"ma": "MA-OUJDA", "ci": "CI-BOUAKE", "ml": "ML-BAMAKO", "sn": "SN-KAOLACK"}
NAMES = {
    "ma": ("Nadia Alaoui", "Karim Benali", "Salma Idrissi"),
    "ci": ("Aya Kouassi", "Yao N'Guessan", "Mariam Traoré"),
    "ml": ("Fatoumata Keïta", "Moussa Coulibaly", "Awa Diarra"),
    "sn": ("Aminata Ndiaye", "Ousmane Diop", "Khady Sow"),
}


def demo_accounts() -> list[dict]:
    """The fixed list of demo accounts with their roles."""
    accounts = [
        {"email": "admin@example.org", "name": "Admin", "roles": [("admin", None)], "town": None, "lang": "fr"},
        {"email": "coordinator@example.org", "name": "Coordination régionale", "roles": [("coordinator", None)],
         "town": None, "lang": "fr"},
    ]
    for cc in COUNTRIES:
        code = cc.upper()
        coordinator, trainer, trainee = NAMES[cc]
        lang = "ar" if cc == "ma" else "fr"
        accounts += [
            {"email": f"coordinator.{cc}@example.org", "name": coordinator, "roles": [("coordinator", code)],
             "town": None, "lang": "fr"},
            {"email": f"trainer.{cc}@example.org", "name": trainer, "roles": [("trainer", code)], "town": None,
             "lang": "fr"},
            {"email": f"trainee.{cc}@example.org", "name": trainee, "roles": [("trainee", None)],
             "town": TRAINEE_TOWNS[cc], "lang": lang},
        ]
    return accounts


def seed_demo(echo=click.echo) -> int:
    """Create the places and the demo accounts that are missing; returns how many accounts were created."""
    load_reference_data()
    towns = {m.code: m for m in db.session.scalars(select(Municipality))}
    accounts = demo_accounts()
    created = 0
    with click.progressbar(accounts, label="demo accounts", file=None) as bar:
        for account in bar:
            if find_user_by_email(account["email"]):
                continue
            create_user(email=account["email"], name=account["name"], password=DEMO_PASSWORD,
                        language=account["lang"], municipality=towns.get(account["town"] or ""),
                        roles=account["roles"])
            created += 1
    db.session.flush()
    return created


@click.group("demo", help="Demo data for trying the platform.")
def demo_cli() -> None:
    pass


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Only seed when the database has no users yet.")
@with_appcontext
def seed(if_empty: bool) -> None:
    """Create the demo places and accounts (refused in production)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Demo data is refused in production mode.")
    if if_empty and db.session.scalar(select(func.count(User.id))):
        click.echo("demo: the database already has users; nothing to do")
        return
    created = seed_demo()
    db.session.commit()
    click.echo(f"demo: {created} accounts created (password {DEMO_PASSWORD})")
    from ..stats.demo import seed_activity

    click.echo("demo: generating sample learner activity for the statistics…")
    counts = seed_activity()
    db.session.commit()
    if counts:
        click.echo("demo: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    else:
        click.echo("demo: sample activity already present (or no course imported yet)")


