"""League tables of authorities' scorecards, the method behind them, and place pages."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from tracker.authority_types import type_name
from tracker.db import get_session
from tracker.exports import Column
from tracker.queries.authorities import (
    FilterChoices,
    filter_choices,
    neighbours,
)
from tracker.queries.candidates import office_holders, pledges_first
from tracker.queries.pledges import recommendations, statuses_by_authority, statuses_by_person
from tracker.queries.scorecards import (
    SORTS,
    data_as_of,
    scorecards,
    scorecards_of,
    standings,
)
from tracker.responsibilities import duties, responsibility_table
from tracker.views.arguments import choice
from tracker.views.downloads import csv_attachment
from tracker.views.lookups import get_authority_page

bp = Blueprint("scorecards", __name__)

COLUMNS = [
    Column(
        "rank",
        "Position by score among authorities of the same type (and region, if filtered);"
        " equal scores share a rank, and it is empty when every score is equal.",
    ),
    Column("authority", "The authority's name."),
    Column("authority_slug", "Its key in this site's addresses and the API."),
    Column("authority_gss", "Its ONS (GSS) code."),
    Column("type", "Its type's short code, as in the authorities download."),
    Column("type_name", "Its type in words."),
    Column("region", "Its English region, or its nation."),
    Column("applicable", "How many of the five recommendations it can deliver."),
    Column("pledged", "How many of those it pledged in full."),
    Column("partial", "How many of those it pledged in part."),
    Column("score", "(pledged + 0.5 × partial) ÷ applicable, from 0 to 1."),
    Column("evidence", "How many of those have accepted evidence in its own documents."),
]


@bp.get("/scorecards/")
def index() -> str:
    """Rank the authorities of one type, optionally within a region, by their scorecards."""
    session = get_session()
    choices = filter_choices(session)
    kind, region, sort = _arguments(choices)
    return render_template(
        "scorecards/index.html",
        standings=standings(scorecards(session, kind=kind, region=region, sort=sort)),
        kind=kind,
        region=region,
        sort=sort,
        choices=choices,
        as_of=data_as_of(session),
    )


@bp.get("/scorecards.csv")
def download() -> Response:
    """Download the league table the page shows, with the same filters."""
    session = get_session()
    kind, region, sort = _arguments(filter_choices(session))
    cards = scorecards(session, kind=kind, region=region, sort=sort)
    rows = (
        {
            "rank": "" if rank is None else rank,
            "authority": c.authority.name,
            "authority_slug": c.authority.slug,
            "authority_gss": c.authority.gss_code,
            "type": c.authority.kind,
            "type_name": type_name(c.authority.kind),
            "region": c.authority.region or c.authority.nation,
            "applicable": c.applicable,
            "pledged": c.pledged,
            "partial": c.partial,
            "score": f"{c.score:.2f}",
            "evidence": c.evidence,
        }
        for rank, c in standings(cards)
    )
    return csv_attachment(f"scorecards-{kind.lower()}.csv", COLUMNS, rows)


@bp.get("/methodology")
def methodology() -> str:
    """Explain how scorecards are worked out, and show the responsibility table."""
    session = get_session()
    return render_template(
        "scorecards/methodology.html",
        recommendations=recommendations(session),
        table=responsibility_table(session),
        columns=COLUMNS,
    )


@bp.get("/places/<slug>")
def place(slug: str) -> str:
    """Show every body serving the residents of an area, each with its own part.

    Where the combined authority's mayor holds the police commissioner's powers, the
    police area is not shown beside it as a second body answering for the same role.
    """
    session = get_session()
    home = get_authority_page(slug, ".place")
    around = neighbours(session, home)
    police = None if around.commissioner_powers_with_mayor else around.police_area
    bodies = [b for b in (home, around.county, around.combined, police) if b]
    recs, table = recommendations(session), responsibility_table(session)
    answers = statuses_by_authority(session, [body.id for body in bodies])
    parts = [
        (
            body,
            card,
            [
                (duty, answers[body.id].get(duty.recommendation.id))
                for duty in duties(body, recs, table)
            ],
        )
        for body, card in zip(bodies, scorecards_of(session, bodies, recs, table), strict=True)
    ]
    holders = {body.id: office_holders(session, body.id) for body in bodies}
    statuses = statuses_by_person(
        session, sorted({h.person_id for hs in holders.values() for h in hs})
    )
    return render_template(
        "places/detail.html",
        home=home,
        parts=parts,
        around=around,
        holders={key: pledges_first(found, statuses) for key, found in holders.items()},
        statuses=statuses,
        recommendations=recs,
    )


def _arguments(choices: FilterChoices) -> tuple[str, str | None, str]:
    """Read the type, region and sort order, answering 404 for values the data lacks."""
    args = request.args
    kind = choice(args, "type", [code for code, _ in choices.kinds], default="MD")
    region = choice(args, "region", choices.regions)
    return kind, region, choice(args, "sort", list(SORTS), default="score")
