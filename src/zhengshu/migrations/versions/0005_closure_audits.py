"""closed-on-paper audits (形式办结审查)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "closure_audits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("reply_hash", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("boilerplate_share", sa.Float(), nullable=False),
        sa.Column("dissatisfied", sa.Boolean(), nullable=False),
        sa.Column("repeat_appeals", sa.Integer(), nullable=False),
        sa.Column("audited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_closure_audits_appeal_id_appeals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_closure_audits_decided_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closure_audits")),
        sa.UniqueConstraint("appeal_id", "reply_hash", name="uq_closure_audits_appeal_reply"),
    )
    with op.batch_alter_table("closure_audits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_closure_audits_appeal_id"), ["appeal_id"], unique=False)
        batch_op.create_index("ix_closure_audits_queue", ["flagged", "decision"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("closure_audits", schema=None) as batch_op:
        batch_op.drop_index("ix_closure_audits_queue")
        batch_op.drop_index(batch_op.f("ix_closure_audits_appeal_id"))
    op.drop_table("closure_audits")
