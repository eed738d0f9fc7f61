"""``flask stats …``."""
from __future__ import annotations

import click


@click.group("stats", help="What coordinators see: dashboards, charts, exports, xAPI.")
def stats_cli() -> None:
    pass
