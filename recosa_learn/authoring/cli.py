"""``flask authoring …``: country adaptations as files, and the status of an adaptation against its base."""
from __future__ import annotations

from pathlib import Path

import click

from ..content.writer import dump_yaml
from ..extensions import db


@click.group("authoring", help="What trainers see: editing, translations, adaptations, review and publishing.")
def authoring_cli() -> None:
    pass


def _course(key: str):
    from ..content.services import find_course

    course = find_course(key)
    if course is None:
        raise click.ClickException(f'no course "{key}" in the database')
    return course


@authoring_cli.command("import-adaptations")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--only-new", is_flag=True, help="Skip countries that already have an adaptation (keeps web edits).")
def import_adaptations(path: Path, only_new: bool) -> None:
    """Load the adaptations/<cc>/adaptation.yaml files of PATH (a course tree or folder) as editable adaptations.

    Overrides remember the base item hashes they were written against, so later base changes show as conflicts.
    """
    from ..content.parser import load_tree
    from ..content.problems import has_errors
    from .services import (
        AuthoringError,
        current_base,
        find_adaptation,
        import_adaptation,
    )

    courses, problems = load_tree(path)
    if has_errors(problems):
        for problem in problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("the files have errors: nothing imported")
    try:
        for doc in courses:
            course = _course(doc.key)
            version, base = current_base(course)
            for adaptation in doc.adaptations:
                if only_new and find_adaptation(course, adaptation.country) is not None:
                    click.echo(f"{doc.key} {adaptation.country}: already in the database, kept")
                    continue
                row = import_adaptation(course, adaptation, base, version, None)
                click.echo(f"{doc.key} {adaptation.country}: {len(row.overrides)} overrides")
    except AuthoringError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc))
    db.session.commit()


@authoring_cli.command("export-adaptation")
@click.argument("course_key")
@click.argument("country")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
def export_adaptation(course_key: str, country: str, dest: Path) -> None:
    """Write DEST/<course>/adaptations/<cc>/adaptation.yaml from the database."""
    from .services import adaptation_file_data, current_base, find_adaptation

    course = _course(course_key)
    adaptation = find_adaptation(course, country.upper())
    if adaptation is None:
        raise click.ClickException(f"no {country.upper()} adaptation of {course_key}")
    _version, base = current_base(course)
    folder = dest / course.key / "adaptations" / country.lower()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "adaptation.yaml").write_text(dump_yaml(adaptation_file_data(adaptation, base)), encoding="utf-8")
    click.echo(str(folder / "adaptation.yaml"))


@authoring_cli.command("status")
@click.argument("course_key")
@click.argument("country")
def status(course_key: str, country: str) -> None:
    """List what changed in the base course for one country's adaptation (conflicts first)."""
    from . import adapt
    from .services import current_base, find_adaptation

    course = _course(course_key)
    adaptation = find_adaptation(course, country.upper())
    if adaptation is None:
        raise click.ClickException(f"no {country.upper()} adaptation of {course_key}")
    _version, base = current_base(course)
    report = adapt.status_report(adaptation, base)
    for row in report.conflicts:
        click.echo(f"conflict  {row.target} {row.kind} {row.field or ''} {row.lang or ''}".rstrip())
    for row in report.orphans:
        click.echo(f"orphaned  {adapt.added_path(row) if row.kind == 'add' else row.target} {row.kind}")
    for item in report.items:
        if item.status in ("new", "followed"):
            click.echo(f"{item.status:<9} {item.path} {' '.join(item.languages)}".rstrip())
