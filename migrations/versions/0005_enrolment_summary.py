"""enrolment summary for statistics: when the learner started, and the mean of their best quiz scores

Statistics used to re-aggregate every quiz attempt on each dashboard view; these two columns are kept in the same
transaction as the learner's activity, and filled here from the rows already stored.

Revision ID: 0005_enrolment_summary
Revises: 0004_authoring
Create Date: 2026-11-29

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005_enrolment_summary'
down_revision = '0004_authoring'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('quiz_score', sa.Double(), nullable=True))
        batch_op.create_index(batch_op.f('ix_enrolments_started_at'), ['started_at'], unique=False)

    # fill from the stored activity: first activity opened (else the completion), mean of the best graded scores
    op.execute(
        "UPDATE enrolments SET "
        "started_at = COALESCE("
        "  (SELECT MIN(p.first_seen_at) FROM activity_progress p WHERE p.enrolment_id = enrolments.id),"
        "  (SELECT MIN(a.started_at) FROM quiz_attempts a WHERE a.enrolment_id = enrolments.id),"
        "  enrolments.completed_at),"
        "quiz_score = (SELECT AVG(b.best) FROM ("
        "  SELECT MAX(a.score) AS best FROM quiz_attempts a"
        "  WHERE a.enrolment_id = enrolments.id AND a.submitted_at IS NOT NULL AND a.is_practice = false"
        "  AND a.score IS NOT NULL GROUP BY a.activity_path) b)"
    )


def downgrade():
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolments_started_at'))
        batch_op.drop_column('quiz_score')
        batch_op.drop_column('started_at')
