"""statistics snapshots: every dashboard view without a period, computed in bulk by `flask stats refresh`

Revision ID: 0006_stats_snapshots
Revises: 0005_enrolment_summary
Create Date: 2026-11-29

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006_stats_snapshots'
down_revision = '0005_enrolment_summary'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stats_snapshots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('seconds', sa.Double(), nullable=False),
        sa.Column('row_count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_snapshots')),
    )
    with op.batch_alter_table('stats_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stats_snapshots_computed_at'), ['computed_at'], unique=False)
    op.create_table(
        'stats_snapshot_rows',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('node_level', sa.String(length=12), nullable=False),
        sa.Column('node_country', sa.String(length=2), nullable=False),
        sa.Column('node_region', sa.Integer(), nullable=False),
        sa.Column('node_municipality', sa.Integer(), nullable=False),
        sa.Column('grp', sa.String(length=16), nullable=False),
        sa.Column('k0', sa.String(length=64), nullable=False),
        sa.Column('k1', sa.String(length=64), nullable=False),
        sa.Column('enrolled', sa.Integer(), nullable=False),
        sa.Column('started', sa.Integer(), nullable=False),
        sa.Column('completed', sa.Integer(), nullable=False),
        sa.Column('scored', sa.Integer(), nullable=False),
        sa.Column('active', sa.Integer(), nullable=False),
        sa.Column('avg_score', sa.Double(), nullable=True),
        sa.Column('median_score', sa.Double(), nullable=True),
        sa.Column('median_days', sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(['snapshot_id'], ['stats_snapshots.id'],
                                name=op.f('fk_stats_snapshot_rows_snapshot_id_stats_snapshots'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_snapshot_rows')),
    )
    with op.batch_alter_table('stats_snapshot_rows', schema=None) as batch_op:
        batch_op.create_index('ix_stats_snapshot_rows_node', ['snapshot_id', 'course_id', 'node_level',
                                                              'node_country', 'node_region', 'node_municipality'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('stats_snapshot_rows', schema=None) as batch_op:
        batch_op.drop_index('ix_stats_snapshot_rows_node')
    op.drop_table('stats_snapshot_rows')
    with op.batch_alter_table('stats_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stats_snapshots_computed_at'))
    op.drop_table('stats_snapshots')
