"""A data version every write bumps, so cached public pages are never served stale

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sitestate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sitestate")),
    )
    op.execute("INSERT INTO sitestate (id, data_version) VALUES (1, 0)")


def downgrade() -> None:
    op.drop_table("sitestate")
