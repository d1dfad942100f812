"""policy library: documents, their versions with metadata and text, and their articles

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("doc_key", sa.String(length=400), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_policy_documents"),
        sa.UniqueConstraint("doc_key", name="uq_policy_documents_doc_key"),
    )
    op.create_table(
        "policy_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("version_no", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("document_number", sa.String(length=64), nullable=True),
        sa.Column("issuing_body", sa.String(length=100), nullable=True),
        sa.Column("written_on", sa.Date(), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("repeals", sa.JSON(), nullable=False),
        sa.Column("metadata_sources", sa.JSON(), nullable=False),
        sa.Column("metadata_edited", sa.Boolean(), nullable=False),
        sa.Column("source_name", sa.String(length=255), nullable=False),
        sa.Column("source_format", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["policy_documents.id"],
            name="fk_policy_versions_document_id_policy_documents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name="fk_policy_versions_created_by_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_id"],
            ["policy_versions.id"],
            name="fk_policy_versions_superseded_by_id_policy_versions",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_policy_versions"),
        sa.UniqueConstraint("document_id", "version_no", name="uq_policy_versions_document_version"),
    )
    op.create_index("ix_policy_versions_current_body", "policy_versions", ["is_current", "issuing_body"])
    op.create_index("ix_policy_versions_current_status", "policy_versions", ["is_current", "status"])
    op.create_index("ix_policy_versions_current_year", "policy_versions", ["is_current", "year"])
    op.create_index("ix_policy_versions_document_number", "policy_versions", ["document_number"])
    op.create_index("ix_policy_versions_title", "policy_versions", ["title"])
    op.create_index("ix_policy_versions_content_hash", "policy_versions", ["content_hash"])
    op.create_table(
        "policy_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("anchor", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("heading", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("start_offset", sa.Integer(), nullable=False),
        sa.Column("end_offset", sa.Integer(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["policy_versions.id"],
            name="fk_policy_articles_version_id_policy_versions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_policy_articles"),
        sa.UniqueConstraint("version_id", "ordinal", name="uq_policy_articles_version_ordinal"),
    )
    op.create_index("ix_policy_articles_version_anchor", "policy_articles", ["version_id", "anchor"])


def downgrade() -> None:
    op.drop_index("ix_policy_articles_version_anchor", table_name="policy_articles")
    op.drop_table("policy_articles")
    for index in (
        "ix_policy_versions_content_hash",
        "ix_policy_versions_title",
        "ix_policy_versions_document_number",
        "ix_policy_versions_current_year",
        "ix_policy_versions_current_status",
        "ix_policy_versions_current_body",
    ):
        op.drop_index(index, table_name="policy_versions")
    op.drop_table("policy_versions")
    op.drop_table("policy_documents")
