"""summary tables of the 民意地图 / 民意速办 dashboards, and the indexes their live parts need

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27

The summaries are derived data: filled on first use (zhengshu.appeals.board_cube.refresh).
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

MEASURES = (
    "received",
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
# table → (its time column, whether it has the community)
TABLES = {
    "appeal_day_stats": ("day", True),
    "appeal_street_day_stats": ("day", False),
    "appeal_street_month_stats": ("month", False),
}
INDEXES = {
    "ix_appeal_day_stats_day": ("appeal_day_stats", ["day"]),
    "ix_appeal_day_stats_street_day": ("appeal_day_stats", ["street_id", "day"]),
    "ix_appeal_street_day_stats_day": ("appeal_street_day_stats", ["day"]),
    "ix_appeal_street_day_stats_street_day": ("appeal_street_day_stats", ["street_id", "day"]),
    "ix_appeal_street_day_stats_department_day": ("appeal_street_day_stats", ["lead_department_id", "day"]),
    "ix_appeal_street_month_stats_month": ("appeal_street_month_stats", ["month"]),
    # Today's intake, the drill-down lists (newest first) and the points layer read appeals by time.
    "ix_appeals_created_at": ("appeals", ["created_at"]),
    # 民意速办's today: dispatched today, closed today.
    "ix_appeals_dispatched_at": ("appeals", ["dispatched_at"]),
    "ix_appeals_closed_at": ("appeals", ["closed_at"]),
    # Closure audits changed since the summaries' last refresh.
    "ix_closure_audits_audited_at": ("closure_audits", ["audited_at"]),
    "ix_closure_audits_decided_at": ("closure_audits", ["decided_at"]),
}


def _summary(name: str, moment: str, with_community: bool) -> None:
    columns: list[sa.schema.SchemaItem] = [
        sa.Column(moment, sa.Date(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=True),
        sa.Column("lead_department_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("type", sa.String(length=16), nullable=False),
        *[sa.Column(measure, sa.Integer(), nullable=False) for measure in MEASURES],
        sa.Column("handling_seconds", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["street_id"], ["streets.id"], name=f"fk_{name}_street_id_streets"),
        sa.ForeignKeyConstraint(
            ["lead_department_id"], ["departments.id"], name=f"fk_{name}_lead_department_id_departments"
        ),
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
    ]
    if with_community:
        columns.append(sa.Column("community_id", sa.Integer(), nullable=True))
        columns.append(
            sa.ForeignKeyConstraint(
                ["community_id"], ["communities.id"], name=f"fk_{name}_community_id_communities"
            )
        )
    op.create_table(name, *columns)


def upgrade() -> None:
    for name, (moment, with_community) in TABLES.items():
        _summary(name, moment, with_community)
    op.create_table(
        "board_marks",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("seen_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_id", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_board_marks"),
    )
    for index, (table, columns) in INDEXES.items():
        op.create_index(index, table, columns)


def downgrade() -> None:
    for index, (table, _columns) in INDEXES.items():
        op.drop_index(index, table_name=table)
    op.drop_table("board_marks")
    for name in TABLES:
        op.drop_table(name)
