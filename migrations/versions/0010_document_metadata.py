"""Know the document: its date, the period it covers, and whether its text came from OCR

An accepted passage took the day it was fetched as its evidence date, so a 2018 strategy
found in 2026 was recorded as a 2026 pledge. Documents now keep the date they were written
(and where that date came from), the first and last year of the plan they set out, and
whether some of their text was read by OCR. Existing rows have none of this until their
next changed fetch; `ocr` starts false.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("date_source", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("period_start", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("period_end", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("ocr", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("ocr")
        batch_op.drop_column("period_end")
        batch_op.drop_column("period_start")
        batch_op.drop_column("date_source")
        batch_op.drop_column("published_on")
