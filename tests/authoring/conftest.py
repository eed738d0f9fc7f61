"""Authoring fixtures: the example course as a document and a bare course row to attach adaptations to."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "courses" / "example-course"


@pytest.fixture(scope="session")
def example_doc():
    from recosa_learn.content.parser import load_course

    doc, problems = load_course(EXAMPLE)
    assert doc is not None and not [p for p in problems if p.level == "error"], problems
    return doc


@pytest.fixture
def base_doc(example_doc):
    """A fresh copy of the example course without its adaptations (tests change it freely)."""
    doc = copy.deepcopy(example_doc)
    doc.adaptations = []
    return doc


@pytest.fixture
def course_row(app, places, db):
    """A course row and a bare base version row (the documents carry the content in these unit tests)."""
    from recosa_learn.content.models import Course, CourseVersion

    course = Course(key="example-course", kind="training-model", languages=["fr", "en", "ar"])
    version = CourseVersion(course=course, status="published", is_current=True)
    db.session.add_all([course, version])
    db.session.flush()
    return course, version


@pytest.fixture
def imported(app, places, db):
    """The example course imported into the database (base version 1 and its Senegalese version)."""
    from recosa_learn.content.importer import import_tree
    from recosa_learn.content.services import find_course

    import_tree(EXAMPLE)
    db.session.commit()
    return find_course("example-course")


@pytest.fixture
def ma_adaptation(imported, db):
    """An empty Moroccan adaptation of the imported example course."""
    from recosa_learn.authoring import services

    version, base = services.current_base(imported)
    item = services.create_adaptation(imported, "MA", None, version, base)
    db.session.commit()
    return item
