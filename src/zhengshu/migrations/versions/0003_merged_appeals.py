"""merged appeals (并案) and the indexes of the similar-appeals lookup

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_appeals_merged_into_id_appeals"), "appeals", ["merged_into_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_appeals_merged_into_id"), ["merged_into_id"], unique=False)
        batch_op.create_index("ix_appeals_appellant_phone", ["appellant_phone"], unique=False)
        batch_op.create_index("ix_appeals_updated_at", ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_index("ix_appeals_updated_at")
        batch_op.drop_index("ix_appeals_appellant_phone")
        batch_op.drop_index(batch_op.f("ix_appeals_merged_into_id"))
        batch_op.drop_constraint(batch_op.f("fk_appeals_merged_into_id_appeals"), type_="foreignkey")
        batch_op.drop_column("merged_into_id")
