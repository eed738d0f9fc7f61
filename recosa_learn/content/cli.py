"""``flask content …``."""
from __future__ import annotations

import click


@click.group("content", help="Course files: import from the web, media.")
def content_cli() -> None:
    pass
