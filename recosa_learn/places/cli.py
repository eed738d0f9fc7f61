"""``flask places …``: load the shipped reference data."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..extensions import db
from .services import load_reference_data


@click.group("places", help="Countries, regions and municipalities.")
def places_cli() -> None:
    pass


@places_cli.command("load")
@with_appcontext
def load() -> None:
    """Create or update countries, regions and starter municipalities from the shipped data file."""
    summary = load_reference_data()
    db.session.commit()
    click.echo(f"places: {summary.countries} countries, {summary.regions} regions, "
               f"{summary.municipalities} municipalities added")
