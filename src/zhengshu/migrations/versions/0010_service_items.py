"""service items: items with their 办事指南 fields, their required materials and FAQs

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=False),
        sa.Column("catalog_name", sa.String(length=300), nullable=False),
        sa.Column("variant", sa.String(length=300), nullable=False),
        sa.Column("item_type", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("legal_limit_days", sa.Integer(), nullable=True),
        sa.Column("promised_limit_days", sa.Integer(), nullable=True),
        sa.Column("legal_limit_text", sa.String(length=64), nullable=False),
        sa.Column("promised_limit_text", sa.String(length=64), nullable=False),
        sa.Column("fee", sa.Text(), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("hours", sa.Text(), nullable=False),
        sa.Column("online_url", sa.String(length=1000), nullable=False),
        sa.Column("online_platform", sa.String(length=200), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("consult_phone", sa.String(length=500), nullable=False),
        sa.Column("complain_phone", sa.String(length=500), nullable=False),
        sa.Column("courier", sa.Boolean(), nullable=True),
        sa.Column("visits", sa.Integer(), nullable=True),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("audiences", sa.JSON(), nullable=False),
        sa.Column("life_events", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name="fk_service_items_updated_by_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_service_items"),
        sa.UniqueConstraint("code", name="uq_service_items_code"),
    )
    op.create_index("ix_service_items_name", "service_items", ["name"])
    op.create_index("ix_service_items_department", "service_items", ["department"])
    op.create_index("ix_service_items_catalog_name", "service_items", ["catalog_name"])
    op.create_index("ix_service_items_item_type", "service_items", ["item_type"])
    op.create_table(
        "service_materials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("form", sa.String(length=16), nullable=False),
        sa.Column("copies", sa.Integer(), nullable=True),
        sa.Column("medium", sa.String(length=16), nullable=False),
        sa.Column("optional", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["service_items.id"],
            name="fk_service_materials_item_id_service_items",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_service_materials"),
        sa.UniqueConstraint("item_id", "position", name="uq_service_materials_item_position"),
    )
    op.create_table(
        "service_faqs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["service_items.id"],
            name="fk_service_faqs_item_id_service_items",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_service_faqs"),
        sa.UniqueConstraint("item_id", "position", name="uq_service_faqs_item_position"),
    )


def downgrade() -> None:
    op.drop_table("service_faqs")
    op.drop_table("service_materials")
    for index in (
        "ix_service_items_item_type",
        "ix_service_items_catalog_name",
        "ix_service_items_department",
        "ix_service_items_name",
    ):
        op.drop_index(index, table_name="service_items")
    op.drop_table("service_items")
