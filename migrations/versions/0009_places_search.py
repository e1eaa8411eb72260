"""Places people can trust: commissioners' offices and former GSS codes

Police areas now come from Schedule 1 to the Police Act 1996, and each records the
office it elects; a combined authority whose mayor holds a commissioner's powers records
the day they passed. Former GSS codes (E06000048, Northumberland before 2009's code
change) resolve to today's authority.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


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


def downgrade() -> None:
    op.drop_index(op.f("ix_formercode_authority_id"), table_name="formercode")
    op.drop_table("formercode")
    with op.batch_alter_table("authority") as batch:
        batch.drop_column("commissioner")
        batch.drop_column("pcc_powers_since")
