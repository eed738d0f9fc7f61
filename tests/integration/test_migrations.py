"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext


def test_migrated_schema_equals_the_models(app, db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_single_head(app):
    from alembic.script import ScriptDirectory
    from flask import current_app

    config = current_app.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_the_enrolment_summary_migration_fills_existing_rows(database_url, tmp_path):
    """0005 adds ``started_at`` and ``quiz_score`` and fills them from the rows already stored."""
    from datetime import UTC, datetime, timedelta

    import sqlalchemy as sa
    from conftest import make_app
    from flask_migrate import downgrade, upgrade

    from recosa_learn.content.models import Course, CourseVersion
    from recosa_learn.extensions import db
    from recosa_learn.learn.models import ActivityProgress, Enrolment, QuizAttempt

    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
    else:
        admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text("DROP DATABASE IF EXISTS recosa_migration_test"))
            connection.execute(sa.text("CREATE DATABASE recosa_migration_test"))
        admin.dispose()
        url = sa.engine.make_url(database_url).set(database="recosa_migration_test").render_as_string(False)
    app = make_app(url)
    t0 = datetime(2025, 5, 1, 8, tzinfo=UTC)
    with app.app_context():
        upgrade(revision="0004_authoring")
        course = {"key": "c", "kind": "training-model", "languages": ["fr"], "required_languages": ["fr"]}
        db.session.execute(sa.insert(Course.__table__).values(id=1, **course))
        db.session.execute(sa.insert(CourseVersion.__table__).values(id=1, course_id=1, status="published"))
        db.session.execute(sa.text(
            "INSERT INTO users (id, email, name, language, is_active, session_salt, created_at, updated_at) "
            "VALUES (1, 'a@example.org', 'A', 'fr', true, 's1', :t, :t), (2, 'b@example.org', 'B', 'fr', true, "
            "'s2', :t, :t), (3, 'c@example.org', 'C', 'fr', true, 's3', :t, :t)"), {"t": t0})
        for eid, completed in ((1, None), (2, None), (3, t0 + timedelta(days=9))):
            db.session.execute(sa.insert(Enrolment.__table__).values(
                id=eid, user_id=eid, course_id=1, enrolled_at=t0, completed_at=completed))
        db.session.execute(sa.insert(ActivityProgress.__table__).values(
            enrolment_id=1, activity_path="m/lesson", first_seen_at=t0 + timedelta(hours=3),
            last_seen_at=t0 + timedelta(hours=3)))
        for number, (path, score, practice) in enumerate(
                [("m/q1", 30.0, False), ("m/q1", 60.0, False), ("m/q2", 100.0, False), ("m/q3", 100.0, True)], 1):
            db.session.execute(sa.insert(QuizAttempt.__table__).values(
                enrolment_id=1, activity_path=path, version_id=1, number=number, is_practice=practice,
                started_at=t0 + timedelta(hours=4), submitted_at=t0 + timedelta(hours=5), score=score))
        db.session.commit()
        db.session.remove()
        upgrade()
        rows = {r.id: r for r in db.session.execute(sa.text(
            "SELECT id, started_at, quiz_score FROM enrolments ORDER BY id"))}
        assert rows[1].quiz_score == 80.0  # (60 + 100) / 2, practice left out
        assert rows[2].quiz_score is None and rows[2].started_at is None  # enrolled, nothing opened
        assert rows[3].started_at is not None and rows[3].quiz_score is None  # completed: started
        started = db.session.scalar(sa.select(Enrolment.started_at).where(Enrolment.id == 1))
        assert started == t0 + timedelta(hours=3)
        db.session.remove()
        downgrade(revision="0004_authoring")  # and back
        db.engine.dispose()
