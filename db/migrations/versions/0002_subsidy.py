"""subsidy register

Revision ID: 0002_subsidy
Revises: 0001_chassis
Create Date: 2026-11-23 11:42:44.157745
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_subsidy'
down_revision = '0001_chassis'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('subsidy_payment_roll',
    sa.Column('program_code', sa.String(length=32), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('total', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_payment_roll')),
    sa.UniqueConstraint('program_code', 'period', name='uq_subsidy_payment_roll_key'),
    sa.UniqueConstraint('uuid', name=op.f('uq_subsidy_payment_roll_uuid'))
    )
    op.create_table('subsidy_program',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('child_rule', sa.String(length=16), nullable=False),
    sa.Column('start_age', sa.Integer(), nullable=False),
    sa.Column('age_of_wife', sa.Boolean(), nullable=False),
    sa.Column('born_from', sa.Date(), nullable=True),
    sa.Column('requires_rural', sa.Boolean(), nullable=False),
    sa.Column('builtin', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_program')),
    sa.UniqueConstraint('code', name=op.f('uq_subsidy_program_code')),
    sa.UniqueConstraint('uuid', name=op.f('uq_subsidy_program_uuid'))
    )
    op.create_table('subsidy_recipient',
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('sex', sa.String(length=2), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('id_number_rev', sa.String(length=18), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('ethnicity', sa.String(length=20), nullable=False),
    sa.Column('township_code', sa.String(length=9), nullable=False),
    sa.Column('village_code', sa.String(length=12), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('hukou', sa.String(length=8), nullable=False),
    sa.Column('marital', sa.String(length=8), nullable=False),
    sa.Column('spouse_id', sa.Integer(), nullable=True),
    sa.Column('spouse_id_number', sa.String(length=18), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('no_policy_violation', sa.Boolean(), nullable=False),
    sa.Column('death_date', sa.Date(), nullable=True),
    sa.Column('program_code', sa.String(length=32), nullable=False),
    sa.Column('first_year', sa.Integer(), nullable=True),
    sa.Column('bank_name', sa.String(length=50), nullable=False),
    sa.Column('account_no', sa.String(length=30), nullable=False),
    sa.Column('account_rev', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('exit_reason', sa.String(length=20), nullable=False),
    sa.Column('exit_date', sa.Date(), nullable=True),
    sa.Column('incomplete', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['spouse_id'], ['subsidy_recipient.id'], name=op.f('fk_subsidy_recipient_spouse_id_subsidy_recipient'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_recipient')),
    sa.UniqueConstraint('uuid', name=op.f('uq_subsidy_recipient_uuid'))
    )
    with op.batch_alter_table('subsidy_recipient', schema=None) as batch_op:
        batch_op.create_index('ix_recipient_account', ['account_no'], unique=False)
        batch_op.create_index('ix_recipient_account_rev', ['account_rev'], unique=False)
        batch_op.create_index('ix_recipient_id_number', ['id_number'], unique=False)
        batch_op.create_index('ix_recipient_id_rev', ['id_number_rev'], unique=False)
        batch_op.create_index('ix_recipient_name', ['name', 'id'], unique=False)
        batch_op.create_index('ix_recipient_place', ['township_code', 'village_code'], unique=False)
        batch_op.create_index('ix_recipient_program_status', ['program_code', 'status'], unique=False)
        batch_op.create_index('ix_recipient_status_name', ['status', 'name', 'id'], unique=False)

    op.create_table('subsidy_standard',
    sa.Column('program_code', sa.String(length=32), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('area', sa.String(length=8), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('unit', sa.String(length=8), nullable=False),
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_standard')),
    sa.UniqueConstraint('program_code', 'year', 'area', name='uq_subsidy_standard_key'),
    sa.UniqueConstraint('uuid', name=op.f('uq_subsidy_standard_uuid'))
    )
    op.create_table('subsidy_year',
    sa.Column('program_code', sa.String(length=32), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('confirmed_by', sa.String(length=64), nullable=False),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('approved_by', sa.String(length=64), nullable=False),
    sa.Column('notice_start', sa.Date(), nullable=True),
    sa.Column('notice_end', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_year')),
    sa.UniqueConstraint('program_code', 'year', name='uq_subsidy_year_key'),
    sa.UniqueConstraint('uuid', name=op.f('uq_subsidy_year_uuid'))
    )
    op.create_table('subsidy_child',
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('sex', sa.String(length=2), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('adopted', sa.Boolean(), nullable=False),
    sa.Column('disability_grade', sa.Integer(), nullable=True),
    sa.Column('certificate_no', sa.String(length=30), nullable=False),
    sa.Column('death_date', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['recipient_id'], ['subsidy_recipient.id'], name=op.f('fk_subsidy_child_recipient_id_subsidy_recipient'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_child')),
    sa.UniqueConstraint('uuid', name=op.f('uq_subsidy_child_uuid'))
    )
    with op.batch_alter_table('subsidy_child', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_child_recipient_id'), ['recipient_id'], unique=False)

    op.create_table('subsidy_payment_line',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('roll_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('township_code', sa.String(length=9), nullable=False),
    sa.Column('village_code', sa.String(length=12), nullable=True),
    sa.Column('bank_name', sa.String(length=50), nullable=False),
    sa.Column('account_no', sa.String(length=30), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['recipient_id'], ['subsidy_recipient.id'], name=op.f('fk_subsidy_payment_line_recipient_id_subsidy_recipient')),
    sa.ForeignKeyConstraint(['roll_id'], ['subsidy_payment_roll.id'], name=op.f('fk_subsidy_payment_line_roll_id_subsidy_payment_roll'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_payment_line'))
    )
    with op.batch_alter_table('subsidy_payment_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_payment_line_recipient_id'), ['recipient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_payment_line_roll_id'), ['roll_id'], unique=False)

    op.create_table('subsidy_year_entry',
    sa.Column('confirmation_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('flags', sa.String(length=300), nullable=False),
    sa.Column('exit_reason', sa.String(length=20), nullable=False),
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['confirmation_id'], ['subsidy_year.id'], name=op.f('fk_subsidy_year_entry_confirmation_id_subsidy_year'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recipient_id'], ['subsidy_recipient.id'], name=op.f('fk_subsidy_year_entry_recipient_id_subsidy_recipient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_year_entry')),
    sa.UniqueConstraint('confirmation_id', 'recipient_id', name='uq_subsidy_year_entry_pair'),
    sa.UniqueConstraint('uuid', name=op.f('uq_subsidy_year_entry_uuid'))
    )


def downgrade() -> None:
    op.drop_table('subsidy_year_entry')
    with op.batch_alter_table('subsidy_payment_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subsidy_payment_line_roll_id'))
        batch_op.drop_index(batch_op.f('ix_subsidy_payment_line_recipient_id'))

    op.drop_table('subsidy_payment_line')
    with op.batch_alter_table('subsidy_child', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subsidy_child_recipient_id'))

    op.drop_table('subsidy_child')
    op.drop_table('subsidy_year')
    op.drop_table('subsidy_standard')
    with op.batch_alter_table('subsidy_recipient', schema=None) as batch_op:
        batch_op.drop_index('ix_recipient_status_name')
        batch_op.drop_index('ix_recipient_program_status')
        batch_op.drop_index('ix_recipient_place')
        batch_op.drop_index('ix_recipient_name')
        batch_op.drop_index('ix_recipient_id_rev')
        batch_op.drop_index('ix_recipient_id_number')
        batch_op.drop_index('ix_recipient_account_rev')
        batch_op.drop_index('ix_recipient_account')

    op.drop_table('subsidy_recipient')
    op.drop_table('subsidy_program')
    op.drop_table('subsidy_payment_roll')
