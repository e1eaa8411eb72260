"""Scraped documents, their versions and the passages matched in them

Documents are upserted on their URL hash; each distinct content is a version with its
extracted text; matches are keyed by a passage fingerprint so a rejected passage is not
proposed again. Sources are the URLs to scrape, including campaigners' submissions, and
authorities gain a website to discover documents from.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("url_hash", sa.String(length=64), nullable=False),
        sa.Column("final_url", sa.String(length=2000), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("content_type", sa.String(length=200), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("etag", sa.String(length=500), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('ok', 'not-modified', 'needs-ocr', 'refused', 'failed')",
            name=op.f("ck_document_status"),
        ),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authority.id"], name=op.f("fk_document_authority_id_authority")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
        sa.UniqueConstraint(
            "authority_id", "url_hash", name=op.f("uq_document_authority_id_url_hash")
        ),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_document_authority_id"), ["authority_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_document_url_hash"), ["url_hash"], unique=False)

    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["app_user.id"], name=op.f("fk_source_added_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authority.id"], name=op.f("fk_source_authority_id_authority")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
        sa.UniqueConstraint("authority_id", "url", name=op.f("uq_source_authority_id_url")),
    )
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_authority_id"), ["authority_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_source_pending"), ["pending"], unique=False)

    op.create_table(
        "documentversion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_documentversion_document_id_document")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documentversion")),
        sa.UniqueConstraint(
            "document_id", "number", name=op.f("uq_documentversion_document_id_number")
        ),
    )
    with op.batch_alter_table("documentversion", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_documentversion_document_id"), ["document_id"], unique=False
        )

    op.create_table(
        "match",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("passage", sa.Text(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=False),
        sa.Column("first_version", sa.Integer(), nullable=False),
        sa.Column("withdrawn_in", sa.Integer(), nullable=True),
        sa.Column("review_status", sa.String(length=20), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("pledge_event_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "review_status IN ('pending', 'accepted', 'rejected')",
            name=op.f("ck_match_review_status"),
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_match_document_id_document")
        ),
        sa.ForeignKeyConstraint(
            ["pledge_event_id"],
            ["pledgeevent.id"],
            name=op.f("fk_match_pledge_event_id_pledgeevent"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendation.id"],
            name=op.f("fk_match_recommendation_id_recommendation"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["app_user.id"], name=op.f("fk_match_reviewer_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match")),
        sa.UniqueConstraint(
            "document_id",
            "recommendation_id",
            "fingerprint",
            name=op.f("uq_match_document_id_recommendation_id_fingerprint"),
        ),
    )
    with op.batch_alter_table("match", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_document_id"), ["document_id"], unique=False)
        batch_op.create_index(
            "ix_match_queue", ["review_status", "withdrawn_in", "score"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_match_recommendation_id"), ["recommendation_id"], unique=False
        )

    with op.batch_alter_table("authority", schema=None) as batch_op:
        batch_op.add_column(sa.Column("website", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("authority", schema=None) as batch_op:
        batch_op.drop_column("website")

    with op.batch_alter_table("match", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_recommendation_id"))
        batch_op.drop_index("ix_match_queue")
        batch_op.drop_index(batch_op.f("ix_match_document_id"))

    op.drop_table("match")
    with op.batch_alter_table("documentversion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documentversion_document_id"))

    op.drop_table("documentversion")
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_pending"))
        batch_op.drop_index(batch_op.f("ix_source_authority_id"))

    op.drop_table("source")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_url_hash"))
        batch_op.drop_index(batch_op.f("ix_document_authority_id"))

    op.drop_table("document")
