"""Seed the campaign's three themes and five recommendations

The text is the charity's own, copied from Hope for Justice, "Local Elections 2024 -
Developing a local response to modern slavery" (March 2024). It is written out here, not
read from a file, so that this migration means the same thing forever. Rows that already
exist are left alone: admins may later edit the wording.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCE = {
    "source_title": "Local Elections 2024 — Developing a local response to modern slavery",
    "source_publisher": "Hope for Justice",
    "source_date": "March 2024",
    "source_url": "https://hopeforjustice.org/",
}

THEMES = [
    (1, "governance-and-strategy", "Governance and strategy"),
    (2, "safeguarding-and-human-rights", "Safeguarding and human rights approach"),
    (3, "lived-experience", "Listen to lived experience"),
]

RECOMMENDATIONS = [
    (
        1,
        "governance-and-strategy",
        "priority-in-strategic-plans",
        "Make tackling modern slavery a priority for your region",
        "Strategic plans for police, housing authorities, social care and other frontline "
        "services name modern slavery as a priority and allocate resources to deliver it.",
        "When developing strategic plans for police, housing authorities, social care and "
        "other frontlines services, ensure that addressing modern slavery is identified as a "
        "priority and that appropriate resources are allocated to allow for effective "
        "delivery of that plan. Draw from guidance developed by the Local Government "
        "Association.",
    ),
    (
        2,
        "governance-and-strategy",
        "resourced-multi-agency-partnership",
        "Resource multi-agency partnerships",
        "A sustained, adequately resourced, cross-sector partnership of local authorities, "
        "health services, law enforcement and civil society.",
        "An effective response to slavery requires collaboration between local authorities, "
        "health services, law enforcement, civil society and other relevant stakeholders. "
        "For such collaboration to be sustainable, it must be adequately resourced and "
        "cross-sector.",
    ),
    (
        3,
        "safeguarding-and-human-rights",
        "safeguarding-and-independent-advocacy",
        "Place safeguarding and independent advocacy at the heart of the response",
        "Survivors' rights and wellbeing come first; independent advocacy (such as an "
        "Independent Modern Slavery Advocate) is central to the response.",
        "The rights and wellbeing of survivors must be prioritised in the response to modern "
        "slavery. This is essential for their individual recovery and also to establish a "
        "relationship of trust with law enforcement as they seek to hold traffickers to "
        "account.",
    ),
    (
        4,
        "safeguarding-and-human-rights",
        "pathways-to-support",
        "Create pathways to support services",
        "Once someone is identified as exploited, established pathways give access to local "
        "safeguarding protection and support services.",
        "Identifying an individual as having suffered exploitation is only a first step. As "
        "is the case with other victims of violent crimes, pathways must be established to "
        "enable survivors to access local safeguarding protection.",
    ),
    (
        5,
        "lived-experience",
        "listen-to-lived-experience",
        "Listen to people with lived experience",
        "Policymakers and services learn from survivors and at-risk communities when shaping "
        "the response.",
        "It is only by listening to people who have experienced modern slavery, and "
        "communities at risk, that we can truly understand the factors which lead to such "
        "exploitation, and what steps must be taken in response. It is essential that "
        "policymakers and those delivering services prioritise learning from survivors of "
        "modern slavery.",
    ),
]


def upgrade() -> None:
    conn = op.get_bind()
    theme = sa.table(
        "theme", sa.column("id"), sa.column("slug"), sa.column("title"), sa.column("position")
    )
    recommendation = sa.table(
        "recommendation",
        *(sa.column(name) for name in ("id", "slug", "theme_id", "position", "title")),
        *(sa.column(name) for name in ("summary", "body", *SOURCE)),
    )
    existing = set(conn.execute(sa.select(theme.c.slug)).scalars())
    for position, slug, title in THEMES:
        if slug not in existing:
            conn.execute(theme.insert().values(slug=slug, title=title, position=position))
    theme_ids = dict(conn.execute(sa.select(theme.c.slug, theme.c.id)).all())
    existing = set(conn.execute(sa.select(recommendation.c.slug)).scalars())
    for position, theme_slug, slug, title, summary, body in RECOMMENDATIONS:
        if slug in existing:
            continue
        conn.execute(
            recommendation.insert().values(
                slug=slug,
                theme_id=theme_ids[theme_slug],
                position=position,
                title=title,
                summary=summary,
                body=body,
                **SOURCE,
            )
        )


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM recommendation"))
    op.execute(sa.text("DELETE FROM theme"))
