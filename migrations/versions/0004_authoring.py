"""authoring: country adaptations and overrides, review submissions and comments, translation state

Revision ID: 0004_authoring
Revises: 0003_stats
Create Date: 2026-11-29

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004_authoring'
down_revision = '0003_stats'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('translation_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('source_lang', sa.String(length=5), nullable=False),
    sa.Column('source_hash', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_translation_states_course_id_courses')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_translation_states_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_translation_states')),
    sa.UniqueConstraint('course_id', 'path', 'lang', name=op.f('uq_translation_states_course_id_path_lang'))
    )
    with op.batch_alter_table('translation_states', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_translation_states_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_translation_states_updated_by_id'), ['updated_by_id'], unique=False)

    op.create_table('adaptations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('country_code', sa.String(length=2), nullable=False),
    sa.Column('created_from', sa.String(length=2), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('base_version_id', sa.Integer(), nullable=True),
    sa.Column('base_hashes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'review', 'published')", name=op.f('ck_adaptations_status')),
    sa.ForeignKeyConstraint(['base_version_id'], ['course_versions.id'], name=op.f('fk_adaptations_base_version_id_course_versions')),
    sa.ForeignKeyConstraint(['country_code'], ['countries.code'], name=op.f('fk_adaptations_country_code_countries')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_adaptations_course_id_courses')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_adaptations_created_by_id_users')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_adaptations_published_by_id_users')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_adaptations_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adaptations')),
    sa.UniqueConstraint('course_id', 'country_code', name=op.f('uq_adaptations_course_id_country_code'))
    )
    with op.batch_alter_table('adaptations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adaptations_base_version_id'), ['base_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adaptations_country_code'), ['country_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_adaptations_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adaptations_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adaptations_published_by_id'), ['published_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adaptations_submitted_by_id'), ['submitted_by_id'], unique=False)

    op.create_table('adaptation_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('adaptation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('target', sa.String(length=300), nullable=True),
    sa.Column('after', sa.String(length=300), nullable=True),
    sa.Column('field', sa.String(length=30), nullable=True),
    sa.Column('lang', sa.String(length=5), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('base_hash', sa.JSON(), nullable=False),
    sa.Column('base_text', sa.Text(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('replace', 'hide', 'add', 'settings')", name=op.f('ck_adaptation_overrides_kind')),
    sa.ForeignKeyConstraint(['adaptation_id'], ['adaptations.id'], name=op.f('fk_adaptation_overrides_adaptation_id_adaptations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_adaptation_overrides_created_by_id_users')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_adaptation_overrides_resolved_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adaptation_overrides'))
    )
    with op.batch_alter_table('adaptation_overrides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adaptation_overrides_adaptation_id'), ['adaptation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adaptation_overrides_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adaptation_overrides_resolved_by_id'), ['resolved_by_id'], unique=False)

    op.create_table('review_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('adaptation_id', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['adaptation_id'], ['adaptations.id'], name=op.f('fk_review_comments_adaptation_id_adaptations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_review_comments_author_id_users')),
    sa.ForeignKeyConstraint(['version_id'], ['course_versions.id'], name=op.f('fk_review_comments_version_id_course_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_comments'))
    )
    with op.batch_alter_table('review_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_comments_adaptation_id'), ['adaptation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_comments_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_comments_version_id'), ['version_id'], unique=False)

    op.create_table('review_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('adaptation_id', sa.Integer(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['adaptation_id'], ['adaptations.id'], name=op.f('fk_review_submissions_adaptation_id_adaptations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_review_submissions_approved_by_id_users')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_review_submissions_submitted_by_id_users')),
    sa.ForeignKeyConstraint(['version_id'], ['course_versions.id'], name=op.f('fk_review_submissions_version_id_course_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_submissions'))
    )
    with op.batch_alter_table('review_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_submissions_adaptation_id'), ['adaptation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_submissions_approved_by_id'), ['approved_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_submissions_submitted_by_id'), ['submitted_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_submissions_version_id'), ['version_id'], unique=False)



def downgrade():
    with op.batch_alter_table('review_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_submissions_version_id'))
        batch_op.drop_index(batch_op.f('ix_review_submissions_submitted_by_id'))
        batch_op.drop_index(batch_op.f('ix_review_submissions_approved_by_id'))
        batch_op.drop_index(batch_op.f('ix_review_submissions_adaptation_id'))

    op.drop_table('review_submissions')
    with op.batch_alter_table('review_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_comments_version_id'))
        batch_op.drop_index(batch_op.f('ix_review_comments_author_id'))
        batch_op.drop_index(batch_op.f('ix_review_comments_adaptation_id'))

    op.drop_table('review_comments')
    with op.batch_alter_table('adaptation_overrides', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adaptation_overrides_resolved_by_id'))
        batch_op.drop_index(batch_op.f('ix_adaptation_overrides_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_adaptation_overrides_adaptation_id'))

    op.drop_table('adaptation_overrides')
    with op.batch_alter_table('adaptations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adaptations_submitted_by_id'))
        batch_op.drop_index(batch_op.f('ix_adaptations_published_by_id'))
        batch_op.drop_index(batch_op.f('ix_adaptations_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_adaptations_course_id'))
        batch_op.drop_index(batch_op.f('ix_adaptations_country_code'))
        batch_op.drop_index(batch_op.f('ix_adaptations_base_version_id'))

    op.drop_table('adaptations')
    with op.batch_alter_table('translation_states', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_translation_states_updated_by_id'))
        batch_op.drop_index(batch_op.f('ix_translation_states_course_id'))

    op.drop_table('translation_states')
