"""Personal pledge links: invitations and the answers given through them

A `pledge_invitation` is a link a campaigner made for one candidate or authority, stored
only as a hash of its secret, with when it expires, whether it was revoked, and how
emailing it went. A `link_answer` is one answer given through such a link: the pledge
event it recorded and the subject's own statement, hidden until a campaigner approves it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pledge_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("authority_id", sa.Integer(), nullable=True),
        sa.Column("election_id", sa.Integer(), nullable=True),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=500), nullable=True),
        sa.Column("sent_to", sa.String(length=254), nullable=True),
        sa.Column("send_outcome", sa.String(length=20), nullable=True),
        sa.Column("send_error", sa.String(length=500), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "send_outcome IN ('sent', 'refused', 'no-address', 'unsubscribed')",
            name=op.f("ck_pledge_invitation_send_outcome"),
        ),
        sa.CheckConstraint(
            "(person_id IS NULL) <> (authority_id IS NULL)",
            name=op.f("ck_pledge_invitation_one_subject"),
        ),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["authority.id"],
            name=op.f("fk_pledge_invitation_authority_id_authority"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["app_user.id"],
            name=op.f("fk_pledge_invitation_created_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_pledge_invitation_election_id_election")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_pledge_invitation_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pledge_invitation")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_pledge_invitation_secret_hash")),
    )
    with op.batch_alter_table("pledge_invitation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pledge_invitation_authority_id"), ["authority_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pledge_invitation_election_id"), ["election_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pledge_invitation_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "link_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("pledge_event_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("statement", sa.Text(), nullable=True),
        sa.Column("statement_state", sa.String(length=20), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "statement_state IN ('pending', 'approved', 'rejected')",
            name=op.f("ck_link_answer_statement_state"),
        ),
        sa.CheckConstraint(
            "status IN ('awaiting-response', 'pledged', 'partial', 'declined')",
            name=op.f("ck_link_answer_status"),
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["pledge_invitation.id"],
            name=op.f("fk_link_answer_invitation_id_pledge_invitation"),
        ),
        sa.ForeignKeyConstraint(
            ["pledge_event_id"],
            ["pledgeevent.id"],
            name=op.f("fk_link_answer_pledge_event_id_pledgeevent"),
        ),
        sa.ForeignKeyConstraint(
            ["pledge_id"], ["pledge.id"], name=op.f("fk_link_answer_pledge_id_pledge")
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendation.id"],
            name=op.f("fk_link_answer_recommendation_id_recommendation"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["app_user.id"], name=op.f("fk_link_answer_reviewed_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_answer")),
    )
    with op.batch_alter_table("link_answer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_link_answer_invitation_id"), ["invitation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_link_answer_pledge_id"), ["pledge_id"], unique=False)
        batch_op.create_index("ix_link_answer_statement_state", ["statement_state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("link_answer", schema=None) as batch_op:
        batch_op.drop_index("ix_link_answer_statement_state")
        batch_op.drop_index(batch_op.f("ix_link_answer_pledge_id"))
        batch_op.drop_index(batch_op.f("ix_link_answer_invitation_id"))

    op.drop_table("link_answer")
    with op.batch_alter_table("pledge_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pledge_invitation_person_id"))
        batch_op.drop_index(batch_op.f("ix_pledge_invitation_election_id"))
        batch_op.drop_index(batch_op.f("ix_pledge_invitation_authority_id"))

    op.drop_table("pledge_invitation")
