"""Importing files into a course edited on the web shows what would be overwritten and asks first."""
import sqlalchemy as sa

from recosa_learn.content.models import Course, CourseVersion


def _current_base(db):
    return db.session.scalar(sa.select(CourseVersion).where(
        CourseVersion.country_code.is_(None), CourseVersion.is_current.is_(True)))


def test_import_over_web_edits_needs_a_decision(content, example, db):
    assert content("import", example).exit_code == 0
    version = _current_base(db)
    version.source = "web"  # as if a trainer had published a web edit of the title
    version.title = {**version.title, "fr": "Titre modifié sur le site"}
    db.session.commit()
    lesson = next(example.glob("example-course/*/*.fr.md"))
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nUne phrase ajoutée dans le fichier.\n", encoding="utf-8")

    refused = content("import", example)
    assert refused.exit_code == 1
    assert "edited on the web" in refused.output and "nothing imported" in refused.output
    assert _current_base(db).id == version.id

    kept = content("import", example, "--keep-web-edits")
    assert kept.exit_code == 0, kept.output
    db.session.expire_all()
    assert _current_base(db).title["fr"] == "Titre modifié sur le site"

    forced = content("import", example, "--force")
    assert forced.exit_code == 0, forced.output
    db.session.expire_all()
    current = _current_base(db)
    assert current.id != version.id and current.source == "import"
    assert current.title["fr"] != "Titre modifié sur le site"
    assert db.session.scalar(sa.select(Course.source_hash)) is not None


def test_unchanged_files_never_complain_about_web_edits(content, example, db):
    assert content("import", example).exit_code == 0
    version = _current_base(db)
    version.source = "web"
    version.title = {**version.title, "fr": "Titre modifié sur le site"}
    db.session.commit()
    again = content("import", example)
    assert again.exit_code == 0, again.output
    db.session.expire_all()
    assert _current_base(db).title["fr"] == "Titre modifié sur le site"
