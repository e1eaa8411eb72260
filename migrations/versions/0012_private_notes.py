"""Internal notes kept apart from public ones

The pledge form called its one note field a note for the team, yet the text was printed
on public pages, in the CSV and in the feeds. Pledges and their events gain a
`private_note` that nothing public reads, and the notes typed so far move into it: they
were written for the team, so none is published by this change. Nothing is lost: a
campaigner can copy a note back into the public field, and downgrading moves them back.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("pledge", "pledgeevent")


def _notes(table: str) -> sa.TableClause:
    """Return the two note columns of a table, for data moves without raw SQL."""
    return sa.table(table, sa.column("note", sa.Text()), sa.column("private_note", sa.Text()))


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("private_note", sa.Text(), nullable=True))
        notes = _notes(table)
        op.execute(
            notes.update()
            .where(notes.c.note.is_not(None))
            .values(private_note=notes.c.note, note=None)
        )


def downgrade() -> None:
    for table in TABLES:
        notes = _notes(table)
        op.execute(
            notes.update()
            .where(notes.c.note.is_(None), notes.c.private_note.is_not(None))
            .values(note=notes.c.private_note)
        )
        with op.batch_alter_table(table) as batch:
            batch.drop_column("private_note")
