"""mch monthly data

Revision ID: 0003_mch
Revises: 0002_subsidy
Create Date: 2026-11-23 11:56:22.065274
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_mch'
down_revision = '0002_subsidy'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mch_data_element',
    sa.Column('code', sa.String(length=48), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('short_name', sa.String(length=40), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('point_in_time', sa.Boolean(), nullable=False),
    sa.Column('section', sa.String(length=40), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('builtin', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mch_data_element')),
    sa.UniqueConstraint('code', name=op.f('uq_mch_data_element_code')),
    sa.UniqueConstraint('uuid', name=op.f('uq_mch_data_element_uuid'))
    )
    op.create_table('mch_data_value',
    sa.Column('township_code', sa.String(length=9), nullable=False),
    sa.Column('period', sa.String(length=6), nullable=False),
    sa.Column('element_code', sa.String(length=48), nullable=False),
    sa.Column('option_code', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('not_applicable', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('followup', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mch_data_value')),
    sa.UniqueConstraint('township_code', 'period', 'element_code', 'option_code', name='uq_mch_data_value_key'),
    sa.UniqueConstraint('uuid', name=op.f('uq_mch_data_value_uuid'))
    )
    with op.batch_alter_table('mch_data_value', schema=None) as batch_op:
        batch_op.create_index('ix_mch_value_period', ['period', 'township_code'], unique=False)

    op.create_table('mch_month_report',
    sa.Column('township_code', sa.String(length=9), nullable=False),
    sa.Column('period', sa.String(length=6), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by', sa.String(length=64), nullable=False),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('approved_by', sa.String(length=64), nullable=False),
    sa.Column('returned_reason', sa.String(length=300), nullable=False),
    sa.Column('unlock_reason', sa.String(length=300), nullable=False),
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mch_month_report')),
    sa.UniqueConstraint('township_code', 'period', name='uq_mch_month_report_key'),
    sa.UniqueConstraint('uuid', name=op.f('uq_mch_month_report_uuid'))
    )
    op.create_table('mch_validation_rule',
    sa.Column('code', sa.String(length=48), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('left', sa.String(length=300), nullable=False),
    sa.Column('operator', sa.String(length=4), nullable=False),
    sa.Column('right', sa.String(length=300), nullable=False),
    sa.Column('importance', sa.String(length=8), nullable=False),
    sa.Column('message', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('builtin', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mch_validation_rule')),
    sa.UniqueConstraint('code', name=op.f('uq_mch_validation_rule_code')),
    sa.UniqueConstraint('uuid', name=op.f('uq_mch_validation_rule_uuid'))
    )
    op.create_table('mch_year_target',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('element_code', sa.String(length=48), nullable=False),
    sa.Column('township_code', sa.String(length=9), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mch_year_target')),
    sa.UniqueConstraint('uuid', name=op.f('uq_mch_year_target_uuid')),
    sa.UniqueConstraint('year', 'element_code', 'township_code', name='uq_mch_year_target_key')
    )


def downgrade() -> None:
    op.drop_table('mch_year_target')
    op.drop_table('mch_validation_rule')
    op.drop_table('mch_month_report')
    with op.batch_alter_table('mch_data_value', schema=None) as batch_op:
        batch_op.drop_index('ix_mch_value_period')

    op.drop_table('mch_data_value')
    op.drop_table('mch_data_element')
