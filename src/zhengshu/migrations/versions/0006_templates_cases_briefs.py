"""reply templates, exemplary cases, daily briefs

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reply_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("keywords", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("use_surname", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_reply_templates_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_templates")),
        sa.UniqueConstraint("title", name=op.f("uq_reply_templates_title")),
    )
    with op.batch_alter_table("reply_templates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reply_templates_category"), ["category"], unique=False)

    op.create_table(
        "exemplary_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_exemplary_cases_appeal_id_appeals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["marked_by_id"], ["users.id"], name=op.f("fk_exemplary_cases_marked_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exemplary_cases")),
        sa.UniqueConstraint("appeal_id", name=op.f("uq_exemplary_cases_appeal_id")),
    )
    with op.batch_alter_table("exemplary_cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exemplary_cases_kind"), ["kind"], unique=False)

    op.create_table(
        "daily_briefs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_briefs")),
        sa.UniqueConstraint("day", "kind", name="uq_daily_briefs_day_kind"),
    )


def downgrade() -> None:
    op.drop_table("daily_briefs")
    with op.batch_alter_table("exemplary_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exemplary_cases_kind"))
    op.drop_table("exemplary_cases")
    with op.batch_alter_table("reply_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reply_templates_category"))
    op.drop_table("reply_templates")
