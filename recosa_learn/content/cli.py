"""``flask content …``: check, import and export course_content/, exchange quizzes with Moodle (GIFT).

Every command that writes commits once at the end and rolls back on any error, so a failure changes nothing.
"""
from __future__ import annotations

import json
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from .exporter import (
    ContentError,
    GiftExportError,
    GiftRefused,
    export_course,
    gift_export,
    gift_import,
)
from .importer import KINDS, ImportRefused, import_tree
from .parser import check_tree


@click.group("content", help="Course files: check, import, export; GIFT question banks.")
def content_cli() -> None:
    pass


def _default_path(path: str | None) -> Path:
    return Path(path or current_app.config["COURSE_CONTENT_DIR"])


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@content_cli.command("check")
@click.argument("path", required=False)
@with_appcontext
def check(path: str | None) -> None:
    """Validate PATH (default: COURSE_CONTENT_DIR) without touching the database; exit 1 when anything is wrong."""
    root = _default_path(path)
    problems = check_tree(root)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s) in {root}", err=True)
        sys.exit(1)
    click.echo(f"OK: {root} has no problem")


def _web_edit_conflicts(root) -> dict[str, list[str]]:
    """Courses whose files changed since the last import AND whose base was edited on the web: what would be lost."""
    from ..authoring.drafts import import_diff
    from .importer import source_hash
    from .parser import load_tree
    from .services import find_course

    conflicts = {}
    docs, _problems = load_tree(root)
    for doc in docs:
        course = find_course(doc.key)
        if course is None or course.source_hash == source_hash(doc):
            continue
        lines = import_diff(course, doc)
        if lines:
            conflicts[doc.key] = lines
    return conflicts


@content_cli.command("import")
@click.argument("path", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--force", is_flag=True, help="Overwrite courses edited on the web with the files.")
@click.option("--keep-web-edits", is_flag=True,
              help="Leave courses edited on the web as they are and import the others (used by `make run`).")
@with_appcontext
def import_(path: str | None, as_json: bool, force: bool, keep_web_edits: bool) -> None:
    """Validate, then import PATH (default: COURSE_CONTENT_DIR) in one transaction.

    When the files of a course changed and the course was also edited on the web, the import shows what the files
    would overwrite and stops, unless --force (the files win) or --keep-web-edits (the web edits stay).
    """
    root = _default_path(path)
    conflicts = {} if force else _web_edit_conflicts(root)
    if conflicts and not keep_web_edits:
        for key, lines in conflicts.items():
            click.echo(f"{key}: edited on the web; importing the files would change:", err=True)
            for line in lines[:40]:
                click.echo(f"  {line}", err=True)
        _fail("nothing imported: export the web edits first (flask content export), or run again with --force "
              "to overwrite them, or --keep-web-edits to import only the other courses")
    started = time.perf_counter()
    with ExitStack() as stack:
        bars = []

        def progress(done: int, total: int, key: str) -> None:
            if as_json:
                return
            if not bars:
                bars.append(stack.enter_context(click.progressbar(
                    length=total, label="Importing courses", file=sys.stderr)))
            bars[0].update(1)

        try:
            summary = import_tree(root, progress=progress, keep=frozenset(conflicts))
            db.session.commit()
        except ImportRefused as refused:
            db.session.rollback()
            for problem in refused.problems:
                click.echo(str(problem), err=True)
            _fail(f"nothing imported: {len(refused.problems)} problem(s) (run `flask content check`)")
        except Exception:
            db.session.rollback()
            raise
    seconds = time.perf_counter() - started
    if as_json:
        click.echo(json.dumps({**summary.as_dict(), "seconds": round(seconds, 2)}, indent=2, ensure_ascii=False))
        return
    for course in summary.courses:
        countries = ", ".join(f"{cc} {status}" for cc, status in sorted(course.countries.items())) or "-"
        version = f"v{course.version}" if course.version else "-"
        click.echo(f"{course.key:<32} {course.status:<9} {version:<5} countries: {countries}")
    click.echo(f"{'':<10}{'created':>9}{'changed':>9}{'retired':>9}{'unchanged':>11}")
    totals = summary.totals()
    for kind in ("course", "country") + KINDS:
        c = totals[kind]
        click.echo(f"{kind:<10}{c.created:>9}{c.changed:>9}{c.retired:>9}{c.unchanged:>11}")
    click.echo(f"Imported {root} in {seconds:.2f} s")


@content_cli.command("export")
@click.argument("course_key")
@click.argument("dest_dir", type=click.Path(file_okay=False))
@with_appcontext
def export(course_key: str, dest_dir: str) -> None:
    """Write course COURSE_KEY (current version and country adaptations) as files under DEST_DIR."""
    try:
        folder = export_course(course_key, dest_dir)
    except ContentError as error:
        _fail(str(error))
    click.echo(f"Exported {course_key} to {folder}")


@content_cli.command("gift-import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--course", "course_key", required=True, help="Course key.")
@click.option("--quiz", required=True, help='Quiz path "module/activity" (or activity key).')
@click.option("--lang", default=None, help="Language of the GIFT text (default: the course's default language).")
@with_appcontext
def gift_import_(file: str, course_key: str, quiz: str, lang: str | None) -> None:
    """Replace a quiz's questions with the GIFT bank FILE, in a new version of the course."""
    try:
        text = Path(file).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        _fail(f"{file} is not UTF-8 text")
    try:
        result = gift_import(course_key, quiz, text, lang, filename=file)
        db.session.commit()
    except GiftRefused as refused:
        db.session.rollback()
        for problem in refused.problems:
            click.echo(str(problem), err=True)
        _fail(f"nothing imported: {len(refused.problems)} problem(s) in {file}")
    except ContentError as error:
        db.session.rollback()
        _fail(str(error))
    except Exception:
        db.session.rollback()
        raise
    q = result.questions
    click.echo(f"{result.path}: {q.created} question(s) created, {q.changed} changed, {q.retired} retired, "
               f"{q.unchanged} unchanged; {course_key} is now at version {result.version}"
               + (f" (countries updated: {', '.join(result.countries)})" if result.countries else ""))


@content_cli.command("gift-export")
@click.option("--course", "course_key", required=True, help="Course key.")
@click.option("--quiz", required=True, help='Quiz path "module/activity" (or activity key).')
@click.option("--lang", default=None, help="Language to write (default: the quiz's GIFT language or the course's).")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="File to write (default: standard output).")
@with_appcontext
def gift_export_(course_key: str, quiz: str, lang: str | None, out: str | None) -> None:
    """Write a quiz's questions as a Moodle GIFT bank."""
    try:
        text = gift_export(course_key, quiz, lang)
    except ContentError as error:
        _fail(str(error))
    except GiftExportError as error:
        for key, message in error.problems:
            click.echo(f"question {key}: {message}", err=True)
        _fail("these questions have no GIFT equivalent: nothing written")
    if out:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {out}")
    else:
        click.echo(text, nl=False)
