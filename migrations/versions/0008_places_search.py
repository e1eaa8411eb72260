"""Places people can trust: commissioners' offices, former GSS codes, place search

Place names are searched by trigrams: on PostgreSQL through pg_trgm's GIN index, on
SQLite through an FTS5 table with the trigram tokenizer, kept in step by triggers.
Postcodes map to their district or unitary council and ward, from the ONS.

Police areas now come from Schedule 1 to the Police Act 1996, and each records the
office it elects; a combined authority whose mayor holds a commissioner's powers records
the day they passed. Former GSS codes (E06000048, Northumberland before 2009's code
change) resolve to today's authority.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The FTS5 index mirrors placename.key (external content), and triggers keep it in step.
SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE placename_fts USING fts5("
    "key, content='placename', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER placename_ai AFTER INSERT ON placename BEGIN "
    "INSERT INTO placename_fts(rowid, key) VALUES (new.id, new.key); END",
    "CREATE TRIGGER placename_ad AFTER DELETE ON placename BEGIN "
    "INSERT INTO placename_fts(placename_fts, rowid, key) VALUES ('delete', old.id, old.key); "
    "END",
    "CREATE TRIGGER placename_au AFTER UPDATE ON placename BEGIN "
    "INSERT INTO placename_fts(placename_fts, rowid, key) VALUES ('delete', old.id, old.key); "
    "INSERT INTO placename_fts(rowid, key) VALUES (new.id, new.key); END",
)


def upgrade() -> None:
    with op.batch_alter_table("authority") as batch:
        batch.add_column(sa.Column("pcc_powers_since", sa.Date(), nullable=True))
        batch.add_column(sa.Column("commissioner", sa.String(length=80), nullable=True))
    op.create_table(
        "formercode",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gss_code", sa.String(length=9), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authority.id"], name=op.f("fk_formercode_authority_id_authority")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_formercode")),
        sa.UniqueConstraint("gss_code", name=op.f("uq_formercode_gss_code")),
    )
    op.create_index(op.f("ix_formercode_authority_id"), "formercode", ["authority_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "placename",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("key", sa.String(length=250), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ward_gss", sa.String(length=9), nullable=True),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authority.id"], name=op.f("fk_placename_authority_id_authority")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placename")),
    )
    op.create_index(op.f("ix_placename_authority_id"), "placename", ["authority_id"])
    op.create_index(
        "ix_placename_key_trgm",
        "placename",
        ["key"],
        postgresql_using="gin",
        postgresql_ops={"key": "gin_trgm_ops"},
    )
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_SEARCH:
            op.execute(statement)
    op.create_table(
        "postcode",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("postcode", sa.String(length=8), nullable=False),
        sa.Column("outward", sa.String(length=4), nullable=False),
        sa.Column("district_gss", sa.String(length=9), nullable=False),
        sa.Column("ward_gss", sa.String(length=9), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postcode")),
        sa.UniqueConstraint("postcode", name=op.f("uq_postcode_postcode")),
    )
    op.create_index(op.f("ix_postcode_outward"), "postcode", ["outward"])


def downgrade() -> None:
    op.drop_index(op.f("ix_postcode_outward"), table_name="postcode")
    op.drop_table("postcode")
    if op.get_bind().dialect.name == "sqlite":
        for name in ("placename_ai", "placename_ad", "placename_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS placename_fts")
    op.drop_index("ix_placename_key_trgm", table_name="placename")
    op.drop_index(op.f("ix_placename_authority_id"), table_name="placename")
    op.drop_table("placename")
    op.drop_index(op.f("ix_formercode_authority_id"), table_name="formercode")
    op.drop_table("formercode")
    with op.batch_alter_table("authority") as batch:
        batch.drop_column("commissioner")
        batch.drop_column("pcc_powers_since")
