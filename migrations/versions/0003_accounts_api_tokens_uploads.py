"""Accounts, API tokens and pledge uploads; pledges only exist once answered

Campaigners sign in (app_user), use API tokens (stored hashed) and upload spreadsheets
that are previewed before they are applied (pledgeupload). Pledge events name the user
who made them. Recommendations gain a version so admins' edits cannot collide.

Pledge rows are now created with a subject's first answer instead of up front, so the
placeholder rows earlier imports made (awaiting a response, never edited) are removed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "DELETE FROM pledge WHERE status = 'awaiting-response' AND NOT EXISTS "
        "(SELECT 1 FROM pledgeevent WHERE pledgeevent.pledge_id = pledge.id)"
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("session_nonce", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('admin', 'campaigner')", name=op.f("ck_app_user_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("email", name=op.f("uq_app_user_email")),
    )
    op.create_table(
        "apitoken",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_apitoken_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apitoken")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_apitoken_token_hash")),
    )
    with op.batch_alter_table("apitoken", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_apitoken_user_id"), ["user_id"], unique=False)

    op.create_table(
        "pledgeupload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_pledgeupload_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pledgeupload")),
    )
    with op.batch_alter_table("pledgeupload", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pledgeupload_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("pledgeevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pledgeevent_actor_id"), ["actor_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_pledgeevent_actor_id_app_user"), "app_user", ["actor_id"], ["id"]
        )

    with op.batch_alter_table("recommendation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("recommendation", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("pledgeevent", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_pledgeevent_actor_id_app_user"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_pledgeevent_actor_id"))

    with op.batch_alter_table("pledgeupload", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pledgeupload_user_id"))

    op.drop_table("pledgeupload")
    with op.batch_alter_table("apitoken", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_apitoken_user_id"))

    op.drop_table("apitoken")
    op.drop_table("app_user")
