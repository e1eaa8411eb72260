"""Atom and RSS feeds of pledge updates: everything, or one recommendation, authority,
candidate or party. An authority's feed also says when its strategies are published and
when a new version drops a commitment.

Each feed answers a poll whose copy is current with 304 after one cheap query, without
building the feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, Response, current_app, render_template, request, url_for

from tracker.db import get_session
from tracker.demo import shown_name
from tracker.feeds import (
    CAMPAIGN_START,
    FeedInfo,
    Update,
    build_feed,
    newest_first,
    pledge_event_update,
    published_version_update,
    withdrawal_update,
)
from tracker.models import Authority
from tracker.queries.document_feed import (
    DocumentFreshness,
    document_freshness,
    published_versions,
    withdrawn_commitments_of,
)
from tracker.queries.events import Freshness, Scope, feed_events, freshness
from tracker.queries.pledges import recommendations
from tracker.views.caching import cacheable, etag_for, is_unchanged, not_modified
from tracker.views.links import SiteLinks
from tracker.views.lookups import get_authority, get_party, get_person, get_recommendation

bp = Blueprint("feeds", __name__, url_prefix="/feeds")

MEDIA_TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml"}
MAX_AGE = 300  # feed readers poll every few minutes; five minutes of staleness is fine
# Bump when entries are written differently, so readers holding an old copy refetch.
LAYOUT = 2  # 2: authorities' feeds list their documents' versions and withdrawals
FORMAT = "<any(atom, rss):fmt>"


@dataclass(frozen=True)
class About:
    """What a feed follows and how it introduces itself."""

    key: str
    title: str
    subtitle: str
    page_url: str


@bp.get("/")
def index() -> str:
    """Explain the feeds and list those for every update and each recommendation."""
    return render_template("feeds/index.html", recommendations=recommendations(get_session()))


@bp.get(f"/updates.{FORMAT}")
def updates(fmt: str) -> Response:
    """Serve every pledge update."""
    about = About(
        "feed/updates",
        "Modern slavery pledges: all updates",
        "Every pledge recorded by the Modern Slavery Pledge Tracker.",
        url_for("pages.home", _external=True),
    )
    return _serve(fmt, Scope(), about)


@bp.get(f"/recommendations/<slug>.{FORMAT}")
def recommendation(slug: str, fmt: str) -> Response:
    """Serve the updates on one recommendation."""
    rec = get_recommendation(slug)
    about = About(
        f"feed/recommendation/{rec.slug}",
        f"Pledges on “{rec.title}”",
        f"Candidates and authorities answering recommendation {rec.position}.",
        SiteLinks().recommendation(rec),
    )
    return _serve(fmt, Scope(recommendation=rec), about)


@bp.get(f"/authorities/<slug>.{FORMAT}")
def authority(slug: str, fmt: str) -> Response:
    """Serve the updates on an authority's own pledges and its candidates'."""
    found = get_authority(slug)
    about = About(
        f"feed/authority/{found.slug}",
        f"Pledges: {shown_name(found)} and its candidates",
        f"What {shown_name(found)} and the candidates standing for it have pledged, and the "
        "strategies it publishes.",
        SiteLinks().authority(found),
    )
    return _serve(fmt, Scope(authority=found), about, documents_of=found)


@bp.get(f"/candidates/<int:person_id>.{FORMAT}")
def candidate(person_id: int, fmt: str) -> Response:
    """Serve the updates on one candidate's pledges."""
    person = get_person(person_id)
    about = About(
        f"feed/candidate/{person.id}",
        f"Pledges: {shown_name(person)}",
        f"What {shown_name(person)} has pledged on modern slavery.",
        SiteLinks().person(person),
    )
    return _serve(fmt, Scope(person=person), about)


@bp.get(f"/parties/<slug>.{FORMAT}")
def party(slug: str, fmt: str) -> Response:
    """Serve the updates on the pledges of a party's candidates."""
    found = get_party(slug)
    about = About(
        f"feed/party/{found.slug}",
        f"Pledges: {found.name} candidates",
        f"What candidates standing for {found.name} have pledged.",
        SiteLinks().party(found),
    )
    return _serve(fmt, Scope(party=found), about)


def _serve(
    fmt: str, scope: Scope, about: About, *, documents_of: Authority | None = None
) -> Response:
    """Answer 304 if the reader's copy is current, otherwise build and send the feed.

    With `documents_of`, that authority's document entries join the pledge events.
    """
    session, config = get_session(), current_app.config
    documents = document_freshness(session, documents_of) if documents_of else None
    etag, modified = _validators(freshness(session, scope), documents, fmt, about.key)
    if is_unchanged(etag, modified):
        return not_modified(etag=etag, last_modified=modified, max_age=MAX_AGE)
    self_url = url_for(request.endpoint or "", **(request.view_args or {}), _external=True)
    info = FeedInfo(
        about.key, about.title, about.subtitle, about.page_url, self_url, MEDIA_TYPES[fmt]
    )
    fg = build_feed(
        info,
        _updates(scope, documents_of, limit=config["FEED_ENTRIES"]),
        tag_authority=config["FEED_TAG_AUTHORITY"],
    )
    body = fg.atom_str(pretty=True) if fmt == "atom" else fg.rss_str(pretty=True)
    response = Response(body, mimetype=MEDIA_TYPES[fmt])
    return cacheable(response, etag=etag, last_modified=modified, max_age=MAX_AGE)


def _updates(scope: Scope, documents_of: Authority | None, *, limit: int) -> list[Update]:
    """Return the feed's newest entries of every kind it holds, merged by date."""
    session, links = get_session(), SiteLinks()
    updates = [pledge_event_update(row, links) for row in feed_events(session, scope, limit=limit)]
    if documents_of is not None:
        versions = published_versions(session, documents_of, limit=limit)
        withdrawn = withdrawn_commitments_of(session, documents_of, limit=limit)
        updates += [published_version_update(row, links) for row in versions]
        updates += [withdrawal_update(row, links) for row in withdrawn]
    return newest_first(updates, limit=limit)


def _validators(
    fresh: Freshness, documents: DocumentFreshness | None, fmt: str, key: str
) -> tuple[str, datetime]:
    """Return the feed's ETag and Last-Modified, which change whenever its content would."""
    config = current_app.config
    parts = (
        LAYOUT,
        fmt,
        key,
        fresh.newest_id,
        fresh.newest_at,
        fresh.count,
        documents,
        config["FEED_ENTRIES"],
        config["FEED_TAG_AUTHORITY"],
    )
    times = [fresh.newest_at, documents.newest_at if documents else None]
    return etag_for(*parts), max((t for t in times if t is not None), default=CAMPAIGN_START)
