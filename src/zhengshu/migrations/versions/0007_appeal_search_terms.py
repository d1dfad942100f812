"""appeals.search_terms: the segmented words of each appeal, stored at intake

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27

Appeals filed before this revision keep NULL: the similar-appeals index segments those once, when
it is first built, and writes their words back (zhengshu.appeals.similar).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_terms", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_column("search_terms")
