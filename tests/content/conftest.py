"""Fixtures of the content tests: the shipped and example course trees, CLI helpers, table counts."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
COURSE_CONTENT = ROOT / "course_content"
EXAMPLE_TREE = ROOT / "tests" / "data" / "courses"
GIFT_DATA = ROOT / "tests" / "data" / "gift"
SHIPPED = sorted(p.name for p in COURSE_CONTENT.iterdir() if (p / "course.yaml").is_file())


@pytest.fixture
def content(app, runner, places):
    """``content("import", path, "--json")`` → the click result of ``flask content …``."""

    def invoke(*args):
        return runner.invoke(args=["content", *[str(a) for a in args]], catch_exceptions=True)

    return invoke


@pytest.fixture
def example(tmp_path) -> Path:
    """A copy of the example course tree (tests/data/courses), free to edit."""
    shutil.copytree(EXAMPLE_TREE, tmp_path / "example")
    return tmp_path / "example"


@pytest.fixture
def shipped(tmp_path) -> Path:
    """A copy of course_content/, free to edit."""
    shutil.copytree(COURSE_CONTENT, tmp_path / "course_content")
    return tmp_path / "course_content"


def table_counts(db) -> dict[str, int]:
    """Rows in every table, to show an operation changed nothing."""
    return {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, text: str, after: int = 0) -> int:
    """1-based line of the first line (after line ``after``) containing ``text``."""
    return next(i for i, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if i > after and text in row)


class Helpers:
    """The helpers above as a fixture (test modules cannot import this conftest by name)."""

    COURSE_CONTENT = COURSE_CONTENT
    EXAMPLE_TREE = EXAMPLE_TREE
    GIFT_DATA = GIFT_DATA
    SHIPPED = SHIPPED
    edit = staticmethod(edit)
    line_of = staticmethod(line_of)
    table_counts = staticmethod(table_counts)


@pytest.fixture
def h() -> type[Helpers]:
    return Helpers
