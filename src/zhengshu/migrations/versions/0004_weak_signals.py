"""weak-signal warnings (弱信号预警) and the days they were detected for

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signal_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("appeals", sa.Integer(), nullable=False),
        sa.Column("series", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal_runs")),
        sa.UniqueConstraint("day", name=op.f("uq_signal_runs_day")),
    )
    op.create_table(
        "signal_warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=True),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("term", sa.String(length=64), nullable=True),
        sa.Column("observed", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("p_value", sa.Float(), nullable=False),
        sa.Column("test", sa.String(length=16), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("appeal_ids", sa.JSON(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_signal_warnings_community_id_communities")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_signal_warnings_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["street_id"], ["streets.id"], name=op.f("fk_signal_warnings_street_id_streets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal_warnings")),
        sa.UniqueConstraint("day", "key", name="uq_signal_warnings_day_key"),
    )
    with op.batch_alter_table("signal_warnings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signal_warnings_day"), ["day"], unique=False)
        batch_op.create_index("ix_signal_warnings_status_day", ["status", "day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("signal_warnings", schema=None) as batch_op:
        batch_op.drop_index("ix_signal_warnings_status_day")
        batch_op.drop_index(batch_op.f("ix_signal_warnings_day"))
    op.drop_table("signal_warnings")
    op.drop_table("signal_runs")
