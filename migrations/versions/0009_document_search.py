"""Pages of documents, searchable in full text

The public can now search every strategy the scraper has read. Each page of a document's
newest version is a row of `documentpage`; the database keeps the search index over it, so
no writer can forget to: on SQLite an external-content FTS5 table (porter stemming) kept by
triggers, on PostgreSQL a GIN index over the English `tsvector` of the text. Documents
stored before this revision are indexed from their newest version's text, as one page.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_INDEX = [
    "CREATE VIRTUAL TABLE documentpage_fts USING fts5("
    "text, content='documentpage', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER documentpage_fts_insert AFTER INSERT ON documentpage BEGIN "
    "INSERT INTO documentpage_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER documentpage_fts_delete AFTER DELETE ON documentpage BEGIN "
    "INSERT INTO documentpage_fts(documentpage_fts, rowid, text) "
    "VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER documentpage_fts_update AFTER UPDATE ON documentpage BEGIN "
    "INSERT INTO documentpage_fts(documentpage_fts, rowid, text) "
    "VALUES ('delete', old.id, old.text); "
    "INSERT INTO documentpage_fts(rowid, text) VALUES (new.id, new.text); END",
]
POSTGRES_INDEX = [
    "CREATE INDEX documentpage_fts ON documentpage USING gin (to_tsvector('english', text))",
]


def upgrade() -> None:
    op.create_table(
        "documentpage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "position"),
    )
    op.create_index("ix_documentpage_document_id", "documentpage", ["document_id"])
    statements = SQLITE_INDEX if op.get_bind().dialect.name == "sqlite" else POSTGRES_INDEX
    for statement in statements:
        op.execute(statement)
    op.execute(
        "INSERT INTO documentpage (document_id, position, page, text) "
        "SELECT v.document_id, 0, NULL, v.text FROM documentversion v "
        "JOIN document d ON d.id = v.document_id AND d.version = v.number"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE documentpage_fts")
    op.drop_index("ix_documentpage_document_id", table_name="documentpage")
    op.drop_table("documentpage")
