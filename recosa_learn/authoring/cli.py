"""``flask authoring …``."""
from __future__ import annotations

import click


@click.group("authoring", help="What trainers see: editing, translations, adaptations, review and publishing.")
def authoring_cli() -> None:
    pass
