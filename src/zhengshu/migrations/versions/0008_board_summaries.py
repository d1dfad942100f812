"""summary tables of the 民意地图 / 民意速办 dashboards, and the indexes their live parts need

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27

The summary is derived data: it is filled on first use (zhengshu.appeals.board_cube.refresh).
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

MEASURES = (
    "received",
    "dispatched",
    "accepted",
    "accepted_on_time",
    "closed",
    "closed_on_time",
    "followed_up",
    "satisfied",
    "dissatisfied",
    "reopened",
    "closed_on_paper",
)


def upgrade() -> None:
    op.create_table(
        "appeal_day_stats",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=True),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("lead_department_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("type", sa.String(length=16), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in MEASURES],
        sa.Column("handling_seconds", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["street_id"], ["streets.id"], name="fk_appeal_day_stats_street_id_streets"),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name="fk_appeal_day_stats_community_id_communities"
        ),
        sa.ForeignKeyConstraint(
            ["lead_department_id"],
            ["departments.id"],
            name="fk_appeal_day_stats_lead_department_id_departments",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_appeal_day_stats"),
    )
    op.create_index("ix_appeal_day_stats_day", "appeal_day_stats", ["day"])
    op.create_index("ix_appeal_day_stats_street_day", "appeal_day_stats", ["street_id", "day"])
    op.create_index("ix_appeal_day_stats_department_day", "appeal_day_stats", ["lead_department_id", "day"])
    op.create_table(
        "board_marks",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("seen_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_board_marks"),
    )
    # Today's intake, the drill-down lists (newest first) and the points layer read appeals by time.
    op.create_index("ix_appeals_created_at", "appeals", ["created_at"])
    # Closure audits changed since the summary's last refresh.
    op.create_index("ix_closure_audits_audited_at", "closure_audits", ["audited_at"])


def downgrade() -> None:
    op.drop_index("ix_closure_audits_audited_at", table_name="closure_audits")
    op.drop_index("ix_appeals_created_at", table_name="appeals")
    op.drop_table("board_marks")
    op.drop_index("ix_appeal_day_stats_department_day", table_name="appeal_day_stats")
    op.drop_index("ix_appeal_day_stats_street_day", table_name="appeal_day_stats")
    op.drop_index("ix_appeal_day_stats_day", table_name="appeal_day_stats")
    op.drop_table("appeal_day_stats")
