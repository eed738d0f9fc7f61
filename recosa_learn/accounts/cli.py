"""``flask users …``: create accounts from the command line."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from ..extensions import db
from .models import ROLES
from .services import AccountError, create_user, password_problem


@click.group("users", help="User accounts.")
def users_cli() -> None:
    pass


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", default="", help="Display name (defaults to the part of the email before @).")
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLES), default=("admin",), show_default=True)
@click.option("--country", default=None, help="Country code the roles apply to (all countries when omitted).")
@click.option("--language", type=click.Choice(["fr", "en", "ar"]), default="fr", show_default=True)
@with_appcontext
def create(email: str, name: str, roles: tuple[str, ...], country: str | None, language: str) -> None:
    """Create a user; the password is asked for, or read from standard input when it is not a terminal."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    problem = password_problem(password, email)
    if problem:
        raise click.ClickException(problem)
    country_code = country.upper() if country else None
    grants = [(role, None if role in ("admin", "trainee") else country_code) for role in roles]
    try:
        user = create_user(email=email, name=name or email.split("@")[0], password=password,
                           language=language, roles=grants)
    except AccountError as error:
        raise click.ClickException(str(error))
    db.session.commit()
    click.echo(f"created {user.email} ({', '.join(roles)})")
