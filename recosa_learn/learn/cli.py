"""``flask learn …``."""
from __future__ import annotations

import click


@click.group("learn", help="What trainees see: catalog, lessons, quizzes, progress, certificates.")
def learn_cli() -> None:
    pass
