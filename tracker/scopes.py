"""Which pages a pledge write makes stale: the scopes a page shows and a write touches.

On election night campaigners record an answer a second while journalists refresh; if
every write made every page stale, every page would be redrawn every second. Instead a
page depends on the whole site (`EVERYTHING`, bumped by any write this module cannot
place) and on the scopes it shows, and a write to a pledge bumps only the scopes that
show that pledge. A Sheffield candidate's answer makes stale that candidate's page, badge
and feed; Sheffield's (and the authorities it sits in or contains, whose pages list it);
the pages of the parties they stood for; the recommendation's; and every page that lists
pledges across the site (home, lists, downloads, the API's lists, the all-updates feed),
which all depend on `PLEDGES`. Kent's pages stay as they were drawn.

Lists filtered to one subject (`/candidates/?party=…`, `/pledges.csv?authority=…`, the
API's lists) show only rows within it, so they depend on that subject's scope alone
(FILTERED). An authority's scope is bumped under every name a filter may give it (slug,
GSS code, mySociety code), and names are compared without regard to case or spaces.

Adding a view: a page not named in DETAILS or FILTERED depends on PLEDGES, so a new page
is never stale, only redrawn more often than it needs to be.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select
from werkzeug.datastructures import MultiDict

from tracker.models import Authority, Ballot, Candidacy, Election, Party, Pledge, Recommendation

EVERYTHING = 1  # the data version every page depends on (sitestate row 1)
PLEDGES = "pledges"  # any pledge anywhere: the pages that list pledges across the site

# Pages that show one subject's pledges, by endpoint: (kind of scope, view argument).
DETAILS: Mapping[str, tuple[str, str]] = {
    "candidates.detail": ("person", "person_id"),
    "feeds.candidate": ("person", "person_id"),
    "badges.candidate": ("person", "person_id"),
    "api.candidate": ("person", "person_id"),
    "authorities.detail": ("authority", "slug"),
    "feeds.authority": ("authority", "slug"),
    "badges.authority": ("authority", "slug"),
    "parties.detail": ("party", "slug"),
    "feeds.party": ("party", "slug"),
    "recommendations.detail": ("recommendation", "slug"),
    "feeds.recommendation": ("recommendation", "slug"),
    "api.recommendation": ("recommendation", "slug"),
}
# Lists whose every row lies within the subject a filter names: (argument, kind of scope).
CANDIDATE_FILTERS = (("party", "party"), ("authority", "authority"))
PLEDGE_FILTERS = (
    ("candidate", "person"),
    ("recommendation", "recommendation"),
    ("party", "party"),
    ("authority", "authority"),
)
FILTERED: Mapping[str, tuple[tuple[str, str], ...]] = {
    "candidates.index": CANDIDATE_FILTERS,
    "downloads.candidates": CANDIDATE_FILTERS,
    "api.candidates": CANDIDATE_FILTERS,
    "downloads.pledges": PLEDGE_FILTERS,
    "api.pledges": PLEDGE_FILTERS,
    "api.events": PLEDGE_FILTERS,
}
ID_RANGE = 2**31 - 3  # sitestate ids 2 .. 2**31 - 1 hold the scopes' versions


def scope_id(name: str) -> int:
    """Return the sitestate row holding a scope's version.

    Rows are named by a hash, so reading a page's versions needs no lookup of slugs. Two
    scopes sharing a row only makes each stale when the other changes: never stale.
    """
    digest = hashlib.sha256(name.strip().lower().encode()).digest()
    return 2 + int.from_bytes(digest[:4], "big") % ID_RANGE


def page_scopes(
    endpoint: str | None, view_args: Mapping[str, Any] | None, args: MultiDict[str, str]
) -> list[str]:
    """Return the scopes the page at `endpoint` shows, besides EVERYTHING."""
    detail = DETAILS.get(endpoint or "")
    if detail is not None and view_args and detail[1] in view_args:
        kind, argument = detail
        return [f"{kind}:{view_args[argument]}"]
    for argument, kind in FILTERED.get(endpoint or "", ()):
        values = args.getlist(argument)
        if len(values) == 1 and values[0].strip():  # several: leave it to PLEDGES
            return [f"{kind}:{values[0]}"]
    return [PLEDGES]


def written_scopes(session: Session, pledge_ids: Iterable[int]) -> set[str] | None:
    """Return the scopes showing the given pledges, or None if one no longer exists."""
    wanted = set(pledge_ids)
    rows = session.exec(
        select(Pledge.id, Pledge.person_id, Pledge.authority_id, Recommendation.slug)
        .join(Recommendation, col(Recommendation.id) == Pledge.recommendation_id)
        .where(col(Pledge.id).in_(wanted))
    ).all()
    if len(rows) != len(wanted):
        return None  # deleted in this transaction: what it showed is no longer known
    people = {person for _, person, _, _ in rows if person is not None}
    authorities = {authority for _, _, authority, _ in rows if authority is not None}
    scopes = {PLEDGES} | {f"recommendation:{slug}" for *_, slug in rows}
    scopes |= {f"person:{person}" for person in people}
    stood = session.exec(
        select(Election.authority_id, Party.slug)
        .join(Ballot, col(Ballot.election_id) == Election.id)
        .join(Candidacy, col(Candidacy.ballot_id) == Ballot.id)
        .join(Party, col(Party.id) == Candidacy.party_id)
        .where(col(Candidacy.person_id).in_(people))
    ).all()
    authorities |= {authority for authority, _ in stood}
    scopes |= {f"party:{slug}" for _, slug in stood}
    scopes |= {f"authority:{slug}" for slug in _related_authorities(session, authorities)}
    return scopes


def _related_authorities(session: Session, ids: set[int]) -> list[str]:
    """Return every name of the authorities, those they sit in, and those within them.

    An authority's page names its county, combined authority and police force area and
    the authorities within it, with their answers.
    """
    if not ids:
        return []
    parents = session.exec(
        select(
            Authority.parent_county_id, Authority.combined_authority_id, Authority.police_area_id
        ).where(col(Authority.id).in_(ids))
    ).all()
    around = ids | {parent for row in parents for parent in row if parent is not None}
    within = or_(
        col(Authority.id).in_(around),
        col(Authority.parent_county_id).in_(ids),
        col(Authority.combined_authority_id).in_(ids),
        col(Authority.police_area_id).in_(ids),
    )
    names = session.exec(
        select(Authority.slug, Authority.gss_code, Authority.code).where(within)
    ).all()
    return [name for row in names for name in row if name]
