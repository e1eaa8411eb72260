"""Who can deliver which recommendation; delivery follow-ups; candidates' contacts

`responsibility` holds, per authority type and recommendation, whether that kind of body
can deliver it and why, seeded with the defaults of the campaign's notes (admins edit
them later, so existing rows are left alone). Combined authorities whose mayor holds the
Police and Crime Commissioner's powers are marked by the authority importer. Pledge
events gain a kind, so timed follow-ups ("no delivery evidence yet") can join the log,
and candidates an email address, where Democracy Club publishes one.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "responsibility",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("applies", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "applies IN ('yes', 'no', 'with-pcc-powers')", name=op.f("ck_responsibility_applies")
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendation.id"],
            name=op.f("fk_responsibility_recommendation_id_recommendation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responsibility")),
        sa.UniqueConstraint(
            "kind", "recommendation_id", name=op.f("uq_responsibility_kind_recommendation_id")
        ),
    )
    with op.batch_alter_table("responsibility", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_responsibility_recommendation_id"), ["recommendation_id"], unique=False
        )

    op.create_table(
        "followup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("milestone", sa.String(length=20), nullable=False),
        sa.Column("election_date", sa.Date(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "milestone IN ('100-days', '1-year')", name=op.f("ck_followup_milestone")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["pledgeevent.id"], name=op.f("fk_followup_event_id_pledgeevent")
        ),
        sa.ForeignKeyConstraint(
            ["pledge_id"], ["pledge.id"], name=op.f("fk_followup_pledge_id_pledge")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followup")),
        sa.UniqueConstraint("pledge_id", "milestone", name=op.f("uq_followup_pledge_id_milestone")),
    )
    with op.batch_alter_table("followup", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_followup_pledge_id"), ["pledge_id"], unique=False)

    with op.batch_alter_table("authority", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pcc_powers", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))

    with op.batch_alter_table("pledgeevent", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=20), nullable=False, server_default="change")
        )
        batch_op.create_check_constraint(
            op.f("ck_pledgeevent_kind"), "kind IN ('change', 'follow-up')"
        )
    _seed_responsibilities()


def downgrade() -> None:
    with op.batch_alter_table("pledgeevent", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_pledgeevent_kind"), type_="check")
        batch_op.drop_column("kind")

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("email")

    with op.batch_alter_table("authority", schema=None) as batch_op:
        batch_op.drop_column("pcc_powers")

    with op.batch_alter_table("followup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_followup_pledge_id"))

    op.drop_table("followup")
    with op.batch_alter_table("responsibility", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_responsibility_recommendation_id"))

    op.drop_table("responsibility")


UNITARY = ("UA", "MD", "LBO")
EVERYONE = "Every body can learn from survivors and at-risk communities when shaping services."
# (recommendation, kinds, applies, reason), from the campaign's notes on local government.
DEFAULTS = [
    ("priority-in-strategic-plans", ("CTY",), "yes", "Its adult social care plans"),
    ("priority-in-strategic-plans", ("NMD",), "yes", "Its housing and homelessness strategy"),
    ("priority-in-strategic-plans", UNITARY, "yes", "Its housing and social care plans"),
    (
        "priority-in-strategic-plans",
        ("SCO",),
        "yes",
        "Its housing, social work and community planning",
    ),
    ("priority-in-strategic-plans", ("WPA",), "yes", "Its housing and social services plans"),
    ("priority-in-strategic-plans", ("NID",), "yes", "Its community plan"),
    (
        "priority-in-strategic-plans",
        ("COMB",),
        "with-pcc-powers",
        "The police and crime plan, where the mayor holds the PCC's powers",
    ),
    (
        "priority-in-strategic-plans",
        ("SRA",),
        "yes",
        "The police and crime plan (MOPAC) and the London housing strategy",
    ),
    (
        "priority-in-strategic-plans",
        ("CC",),
        "yes",
        "Its own police force, housing and social care",
    ),
    ("priority-in-strategic-plans", ("PFA",), "yes", "The police and crime plan"),
    (
        "resourced-multi-agency-partnership",
        ("CTY",),
        "yes",
        "Leads the Safeguarding Adults Board and funds partnership work",
    ),
    (
        "resourced-multi-agency-partnership",
        ("NMD",),
        "yes",
        "Runs the community safety partnership in two-tier areas",
    ),
    (
        "resourced-multi-agency-partnership",
        UNITARY,
        "yes",
        "Leads its Safeguarding Adults Board and community safety partnership",
    ),
    ("resourced-multi-agency-partnership", ("SCO",), "yes", "Leads community planning"),
    ("resourced-multi-agency-partnership", ("WPA",), "yes", "Leads community safety"),
    (
        "resourced-multi-agency-partnership",
        ("NID",),
        "yes",
        "Policing and Community Safety Partnerships",
    ),
    ("resourced-multi-agency-partnership", ("COMB",), "yes", "Convenes partners across its area"),
    ("resourced-multi-agency-partnership", ("SRA",), "yes", "Convenes London's partners"),
    (
        "resourced-multi-agency-partnership",
        ("CC",),
        "yes",
        "Its own police, housing and social care",
    ),
    (
        "resourced-multi-agency-partnership",
        ("PFA",),
        "yes",
        "Funds community safety work; often chairs the anti-slavery partnership",
    ),
    (
        "safeguarding-and-independent-advocacy",
        ("CTY",),
        "yes",
        "Adult safeguarding, including the Care Act duty to arrange independent advocacy",
    ),
    (
        "safeguarding-and-independent-advocacy",
        ("NMD",),
        "no",
        "The county council holds adult safeguarding duties",
    ),
    (
        "safeguarding-and-independent-advocacy",
        UNITARY,
        "yes",
        "Adult safeguarding, including the Care Act duty to arrange independent advocacy",
    ),
    ("safeguarding-and-independent-advocacy", ("SCO",), "yes", "Adult support and protection"),
    ("safeguarding-and-independent-advocacy", ("WPA",), "yes", "Social services safeguarding"),
    (
        "safeguarding-and-independent-advocacy",
        ("NID",),
        "no",
        "Health and Social Care Trusts hold social care",
    ),
    (
        "safeguarding-and-independent-advocacy",
        ("COMB",),
        "with-pcc-powers",
        "Commissions victims' services, where the mayor holds the PCC's powers",
    ),
    (
        "safeguarding-and-independent-advocacy",
        ("SRA",),
        "yes",
        "MOPAC commissions victims' services",
    ),
    ("safeguarding-and-independent-advocacy", ("CC",), "yes", "Social care for its residents"),
    (
        "safeguarding-and-independent-advocacy",
        ("PFA",),
        "yes",
        "Commissions victims' services, including advocacy",
    ),
    ("pathways-to-support", ("CTY",), "yes", "Adult social care and safeguarding"),
    ("pathways-to-support", ("NMD",), "yes", "Housing and homelessness services"),
    ("pathways-to-support", UNITARY, "yes", "Housing, social care and safeguarding"),
    ("pathways-to-support", ("SCO",), "yes", "Housing and social work"),
    ("pathways-to-support", ("WPA",), "yes", "Housing and social services"),
    ("pathways-to-support", ("NID",), "yes", "Signposting to support"),
    (
        "pathways-to-support",
        ("COMB",),
        "with-pcc-powers",
        "Victims' services, where the mayor holds the PCC's powers",
    ),
    ("pathways-to-support", ("SRA",), "yes", "Victims' services and housing"),
    ("pathways-to-support", ("CC",), "yes", "Housing and social care for its residents"),
    ("pathways-to-support", ("PFA",), "yes", "Commissions victims' services"),
    *(
        ("listen-to-lived-experience", (kind,), "yes", EVERYONE)
        for kind in ("CTY", "NMD", *UNITARY, "SCO", "WPA", "NID", "COMB", "SRA", "CC", "PFA")
    ),
]


def _seed_responsibilities() -> None:
    """Insert the default rows that are missing."""
    conn = op.get_bind()
    recommendation = sa.table("recommendation", sa.column("id"), sa.column("slug"))
    responsibility = sa.table(
        "responsibility",
        *(sa.column(name) for name in ("kind", "recommendation_id", "applies", "reason")),
        sa.column("version"),
    )
    ids = dict(conn.execute(sa.select(recommendation.c.slug, recommendation.c.id)).all())
    have = set(
        conn.execute(sa.select(responsibility.c.kind, responsibility.c.recommendation_id)).all()
    )
    for slug, kinds, applies, reason in DEFAULTS:
        for kind in kinds:
            if (kind, ids[slug]) not in have:
                conn.execute(
                    responsibility.insert().values(
                        kind=kind,
                        recommendation_id=ids[slug],
                        applies=applies,
                        reason=reason,
                        version=1,
                    )
                )
