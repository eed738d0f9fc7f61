"""``flask stats …``: exports, scheduled reports and xAPI, through the same services as the dashboard.

The CLI acts with the rights of an all-countries coordinator (so small-cell suppression applies);
``--as-admin`` adds the administrator's rights, which learner-level exports need.
"""
from __future__ import annotations

import sys
import time as clock
from datetime import UTC, datetime
from typing import Any

import click
from flask.cli import with_appcontext

from ..accounts.permissions import can
from ..accounts.services import audit
from ..extensions import db
from . import exports, reports, services, xapi


class CliActor:
    """The CLI's identity for the permission layer: a coordinator of every country (and admin if asked)."""

    is_authenticated = True
    is_active = True
    id = None
    email = "cli"

    def __init__(self, admin: bool = False) -> None:
        self.admin = admin
        self.grants = [type("Grant", (), {"role": "coordinator", "country_code": None})()]

    def has_role(self, role: str) -> bool:
        return role == "coordinator" or (role == "admin" and self.admin)


def _filters(**options: Any) -> services.Filters:
    try:
        return services.parse_filters({k: v for k, v in options.items() if v})
    except services.StatsError as error:
        raise click.BadParameter(str(error))


@click.group("stats", help="What coordinators see: dashboards, charts, exports, xAPI.")
def stats_cli() -> None:
    pass


@stats_cli.command("export")
@click.option("--level", type=click.Choice(services.LEVELS), required=True)
@click.option("--country", help="ISO code, e.g. MA")
@click.option("--region", help="region code, e.g. MA-02")
@click.option("--municipality", help="municipality code, e.g. MA-OUJDA")
@click.option("--course", help="course key")
@click.option("--since", help="YYYY-MM-DD (enrolments from that day)")
@click.option("--until", help="YYYY-MM-DD (inclusive)")
@click.option("--format", "fmt", type=click.Choice(exports.FORMATS), default="csv", show_default=True)
@click.option("--delimiter", type=click.Choice([";", ","]), default=";", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True, help="file to write ('-': stdout)")
@click.option("--learner-level", is_flag=True, help="one pseudonymous row per enrolment (needs --as-admin)")
@click.option("--names", is_flag=True, help="with --learner-level: add names and emails")
@click.option("--as-admin", is_flag=True, help="act with administrator rights")
@with_appcontext
def export(level: str, country: str | None, region: str | None, municipality: str | None,
           course: str | None, since: str | None, until: str | None, fmt: str, delimiter: str, out: str,
           learner_level: bool, names: bool, as_admin: bool) -> None:
    """Export the dashboard's figures (or learner-level rows) as CSV, XLSX or JSON."""
    actor = CliActor(admin=as_admin)
    filters = _filters(country=country, region=region, municipality=municipality, course=course, since=since,
                       until=until)
    k = services.min_cell()
    started = clock.perf_counter()
    if learner_level:
        if not can(actor, "stats.learner_level"):
            raise click.UsageError("--learner-level needs --as-admin.")
        if fmt == "xlsx":
            raise click.UsageError("learner-level exports are csv or json.")
        rows = services.count_learner_rows(actor, filters)
        records = services.learner_rows(actor, filters, names=names)
        chunks = (exports.csv_stream(records, k, delimiter=delimiter, columns=exports.learner_columns(names))
                  if fmt == "csv" else xapi.json_array(records))
        _write_text(out, chunks)
        kind = "learner"
    else:
        if fmt == "csv":
            places = services.table(actor, filters, level, "fr", k=k)
            tables = {"places": places}
            _write_text(out, exports.csv_stream(exports.table_records(places, filters, level), k,
                                                delimiter=delimiter))
        else:
            found = services.tables(actor, filters, [level, "course", *services.BREAKDOWNS], "fr", k=k)
            tables = {"places": found.pop(level), "courses": found.pop("course"), **found}
            if fmt == "xlsx":
                if out == "-":
                    raise click.UsageError("XLSX needs a file: --out report.xlsx")
                exports.write_xlsx(out, exports.dashboard_sheets(tables, filters, level), k)
            else:
                meta = exports.export_meta("cli", filters, level, k, True, tables["places"].as_of)
                _write_text(out, exports.json_stream(
                    {n: exports.table_records(t, filters, level if n == "places" else n) for n, t in tables.items()},
                    meta))
        rows = sum(len(t.rows) + 1 for t in tables.values())
        kind = level
    audit(None, "stats.export", None, country=filters.country_code, level=kind, format=fmt,
          filters=filters.describe(), rows=rows, names=names, via="cli", as_admin=as_admin)
    db.session.commit()
    click.echo(f"stats: {rows} rows written to {out} in {clock.perf_counter() - started:.2f}s", err=True)


def _write_text(out: str, chunks: Any) -> None:
    if out == "-":
        for chunk in chunks:
            sys.stdout.write(chunk)
        return
    with open(out, "w", encoding="utf-8", newline="") as stream:
        for chunk in chunks:
            stream.write(chunk)


@stats_cli.command("send-scheduled")
@with_appcontext
def send_scheduled() -> None:
    """Mail (or write to STATS_REPORT_DIR) last month's report of every subscription not yet served."""
    count = reports.send_scheduled(echo=click.echo)
    db.session.commit()
    click.echo(f"stats: {count} reports delivered")


@stats_cli.command("rebuild-summaries")
@with_appcontext
def rebuild_summaries() -> None:
    """Recompute every enrolment's start and mean best quiz score from the stored attempts and progress.

    The learner pages keep them up to date; run this after writing learning rows by other means (a repair, an
    import from another platform)."""
    from ..learn.services import rebuild_summaries as rebuild

    started = clock.perf_counter()
    count = rebuild()
    db.session.commit()
    click.echo(f"stats: {count} enrolments summarised in {clock.perf_counter() - started:.2f}s")


@stats_cli.command("refresh")
@with_appcontext
def refresh_snapshot() -> None:
    """Compute every dashboard view without a period (all countries, each country, region and municipality; all
    courses and each course) into a new statistics snapshot.

    Views read it while it is younger than STATS_SNAPSHOT_MAX_AGE seconds; run this from cron more often than
    that on a large platform (small platforms need not: views are then computed live)."""
    from . import snapshot

    steps = len(snapshot.PLACE_LEVELS) * 2
    with click.progressbar(length=steps, label="stats: computing every view") as bar:
        made = snapshot.refresh(progress=bar.update)
    click.echo(f"stats: snapshot of {made.row_count} rows in {made.seconds:.2f}s")


@stats_cli.command("xapi")
@click.option("--since", help="YYYY-MM-DD")
@click.option("--until", help="YYYY-MM-DD (inclusive)")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True, help="file ('-': stdout)")
@with_appcontext
def xapi_export(since: str | None, until: str | None, out: str) -> None:
    """Write every learning event as an xAPI 1.0.3 statement (a JSON array, streamed)."""
    filters = _filters(since=since, until=until)
    actor = CliActor(admin=True)
    count = {"n": 0}

    def counted():
        for statement in xapi.statements(actor, filters.start, filters.end):
            count["n"] += 1
            yield statement

    _write_text(out, xapi.json_array(counted()))
    audit(None, "stats.export", None, level="xapi", format="json", filters=filters.describe(), rows=count["n"],
          via="cli")
    db.session.commit()
    click.echo(f"stats: {count['n']} statements written to {out}", err=True)


@stats_cli.command("xapi-send")
@click.option("--batch-size", default=50, show_default=True)
@with_appcontext
def xapi_send(batch_size: int) -> None:
    """Deliver due outbox statements to XAPI_LRS_ENDPOINT (retries with exponential backoff)."""
    sent = failed = 0
    while True:
        ok, ko = xapi.deliver(now=datetime.now(UTC), batch_size=batch_size)
        db.session.commit()
        sent, failed = sent + ok, failed + ko
        if ko or not ok:
            break
    click.echo(f"xapi: {sent} sent, {failed} failed (retried later)")
