"""Atom and RSS feeds built from plain rows: no database, no request.

A feed is a list of `Update`s, whatever produced them: pledge events
(`pledge_event_update`) and, in an authority's feed, its documents' versions
(`published_version_update`) and the accepted commitments a new version dropped
(`withdrawal_update`), each kind under its own id prefix and merged by date (`newest_first`).

Entry ids are `tag:` URIs made from a configured authority and the row's own id, so they
never change when the site moves or a name is corrected, and readers never show an entry
twice. A feed's `updated` is its newest entry's time, or the campaign's start for an empty
feed: never "now", so rebuilding an unchanged feed gives the same document.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from feedgen.feed import FeedGenerator
from markupsafe import Markup, escape

from tracker.demo import shown_name
from tracker.models import (
    Authority,
    Delivery,
    Document,
    EventKind,
    Person,
    PledgeEvent,
    PledgeStatus,
    Recommendation,
)
from tracker.queries.document_feed import PublishedVersion, WithdrawnCommitment
from tracker.queries.events import FeedEventRow
from tracker.review import document_name
from tracker.text import document_format, is_web_url, long_date, plural

# Hope for Justice published the five recommendations in March 2024.
CAMPAIGN_START = datetime(2024, 3, 1, tzinfo=UTC)
SITE_NAME = "Modern Slavery Pledge Tracker"

_STATUS_VERBS = {
    PledgeStatus.PLEDGED: "pledged",
    PledgeStatus.PARTIAL: "partly pledged",
    PledgeStatus.DECLINED: "declined",
}
_DELIVERY_VERBS = {
    Delivery.IN_PROGRESS: "started delivering",
    Delivery.DELIVERED: "delivered",
    Delivery.STALLED: "stalled on delivering",
}


class Links(Protocol):
    """Absolute addresses of the pages an entry links to."""

    def recommendation(self, recommendation: Recommendation) -> str:
        """Return a recommendation's page."""

    def person(self, person: Person) -> str:
        """Return a candidate's page."""

    def authority(self, authority: Authority) -> str:
        """Return an authority's page."""

    def pledge_event(self, event: PledgeEvent) -> str:
        """Return the place on its pledge's history page where one change is listed."""

    def pledge(self, pledge_id: int) -> str:
        """Return a pledge's history page."""

    def document(self, document: Document, authority: Authority, *, anchor: str) -> str:
        """Return the place on a document's page where one version or passage is listed."""


@dataclass(frozen=True)
class Category:
    """A label readers can filter entries by, within a named scheme."""

    scheme: str  # "theme" or "recommendation"
    term: str
    label: str


@dataclass(frozen=True)
class Update:
    """One feed entry, ready to write: what happened, when, and where to read more."""

    key: str  # with the tag authority, the entry's id forever: "pledge-event/42"
    occurred_at: datetime
    title: str
    link: str
    content: Markup
    categories: tuple[Category, ...]


@dataclass(frozen=True)
class FeedInfo:
    """What a feed is about and where it lives."""

    key: str  # with the tag authority, the feed's id: "feed/authority/sheffield"
    title: str
    subtitle: str
    page_url: str
    self_url: str  # this representation's own address (Atom or RSS)
    self_type: str  # and its media type


def tag_uri(tag_authority: str, key: str) -> str:
    """Return the permanent `tag:` URI for a key, e.g. tag:example.org,2024:pledge-event/42."""
    return f"tag:{tag_authority}:{key}"


def subject_label(row: FeedEventRow) -> str:
    """Name the pledge's subject so a reader knows who it is without the page:
    "Jane Smith (Labour Party, Sheffield — Walkley)" or "Sheffield City Council"."""
    if row.person is None or row.standing is None:
        return _name(row)
    where = f"{row.standing.authority_name} — {row.standing.post_label}"
    return f"{shown_name(row.person)} ({row.standing.party_name}, {where})"


def entry_title(row: FeedEventRow) -> str:
    """Say what happened in a line that reads alone in a feed reader."""
    event, subject, rec = row.event, subject_label(row), row.recommendation.title
    status, delivery = PledgeStatus(event.to_status), Delivery(event.to_delivery)
    if event.kind == EventKind.FOLLOW_UP:
        return f"No delivery evidence yet from {subject}: {rec}"
    if event.from_status != event.to_status:
        if status is PledgeStatus.AWAITING:
            return f"{subject} is shown as awaiting a response again: {rec}"
        was_partial = event.from_status == PledgeStatus.PARTIAL.value
        verb = "fully pledged" if status is PledgeStatus.PLEDGED and was_partial else None
        return f"{subject} {verb or _STATUS_VERBS[status]}: {rec}"
    if event.from_delivery != event.to_delivery:
        if delivery is Delivery.BROKEN:
            return f"{subject} broke {'its' if row.person is None else 'their'} pledge: {rec}"
        if delivery is Delivery.NOT_YET_RATED:
            return f"Delivery rating cleared for {subject}: {rec}"
        return f"{subject} {_DELIVERY_VERBS[delivery]}: {rec}"
    return f"New evidence for {subject}: {rec}"


def entry_content(row: FeedEventRow, links: Links) -> Markup:
    """Describe the change with its evidence as HTML, every stored value escaped."""
    event = row.event
    status = PledgeStatus(event.to_status)
    parts = [Markup("<p>Answer: <strong>{}</strong>").format(status.label)]
    if event.from_status and event.from_status != event.to_status:
        parts.append(Markup(" (was: {})").format(PledgeStatus(event.from_status).label))
    if status in (PledgeStatus.PLEDGED, PledgeStatus.PARTIAL):
        parts.append(Markup(". Delivery: {}").format(Delivery(event.to_delivery).label))
    parts.append(Markup(".</p>"))
    if event.quote:
        parts.append(Markup("<blockquote><p>{}</p></blockquote>").format(event.quote))
    if event.evidence_url or event.evidence_date:
        parts.append(_source(event.evidence_url, long_date(event.evidence_date)))
    if event.note:
        parts.append(Markup("<p>Note: {}</p>").format(event.note))
    rec = row.recommendation
    parts.append(
        Markup(
            '<p>Recommendation: <a href="{}">{}</a>. <a href="{}">All of {}’s pledges</a>.</p>'
        ).format(links.recommendation(rec), rec.title, _subject_url(row, links), _name(row))
    )
    return Markup("").join(parts)


def _source(url: str | None, when: str) -> Markup:
    """Return the evidence's source line, linking only http(s) addresses."""
    if url and is_web_url(url):
        link = Markup('<a href="{}">{}</a>').format(url, url)
    else:
        link = escape(url or "")
    dated = Markup(", {}").format(when) if url and when else escape(when)
    return Markup("<p>Source: {}{}</p>").format(link, dated)


def _subject_url(row: FeedEventRow, links: Links) -> str:
    """Return the page of the candidate or authority the pledge belongs to."""
    if row.person is not None:
        return links.person(row.person)
    return links.authority(row.authority) if row.authority else ""


def _name(row: FeedEventRow) -> str:
    """Return the name of the candidate or authority the pledge belongs to, as pages print it."""
    if row.person is not None:
        return shown_name(row.person)
    return shown_name(row.authority) if row.authority else ""


def pledge_event_update(row: FeedEventRow, links: Links) -> Update:
    """Turn a pledge event into a feed entry linking to the change itself.

    Linking every entry to the subject's page gave a reader of a candidate's feed five
    entries with one address; each now opens its own line of the pledge's history.
    """
    return Update(
        key=f"pledge-event/{row.event.id}",
        occurred_at=row.event.occurred_at,
        title=entry_title(row),
        link=links.pledge_event(row.event),
        content=entry_content(row, links),
        categories=(
            Category("theme", row.theme.slug, row.theme.title),
            Category("recommendation", row.recommendation.slug, row.recommendation.title),
        ),
    )


def published_version_update(row: PublishedVersion, links: Links) -> Update:
    """Say that one of the authority's strategies was read, or read in a new version."""
    document, number = row.document, row.version.number
    name = document_name(document)
    first = number == 1
    title = f"New strategy published: {name}" if first else f"Strategy updated: {name}"
    facts = [document_format(document.content_type)]
    if document.page_count:
        facts.append(plural(document.page_count, "page"))
    if document.published_on:
        facts.append(f"dated {long_date(document.published_on)}")
    if document.period_start and document.period_end:
        facts.append(f"covering {document.period_start}–{document.period_end}")
    what = "first read" if first else f"read in a new version (version {number})"
    parts = [
        Markup("<p>“{}”, published by {}, was {} on {}.</p>").format(
            name, row.authority.name, what, long_date(row.version.fetched_at)
        ),
        Markup("<p>{}.</p>").format(", ".join(facts)),
        _source(document.final_url or document.url, ""),
    ]
    return Update(
        key=f"document-version/{row.version.id}",
        occurred_at=row.version.fetched_at,
        title=title,
        link=links.document(document, row.authority, anchor=f"version-{number}"),
        content=Markup("").join(parts),
        categories=(),
    )


def withdrawal_update(row: WithdrawnCommitment, links: Links) -> Update:
    """Say that a new version of a document no longer has a passage accepted as a commitment.

    Keyed by the passage and the version that dropped it: should the words come back and go
    again, the second withdrawal is news of its own.
    """
    proposal, rec, name = row.proposal, row.recommendation, document_name(row.document)
    parts = [
        Markup("<p>Version {} of “{}”, read on {}, no longer has this passage").format(
            row.version.number, name, long_date(row.version.fetched_at)
        ),
        Markup(", from page {}").format(proposal.page) if proposal.page else Markup(""),
        Markup(
            ', accepted as a commitment to <a href="{}">{}</a>:</p>'
            "<blockquote><p>{}</p></blockquote>"
        ).format(links.recommendation(rec), rec.title, proposal.passage),
    ]
    if row.pledge_id is not None:
        parts.append(
            Markup('<p><a href="{}">The pledge it supported and its history</a>.</p>').format(
                links.pledge(row.pledge_id)
            )
        )
    return Update(
        key=f"withdrawn-commitment/{proposal.id}/{row.version.number}",
        occurred_at=row.version.fetched_at,
        title=f"Commitment withdrawn from {name}: {rec.title}",
        link=links.document(row.document, row.authority, anchor=f"withdrawn-{proposal.id}"),
        content=Markup("").join(parts),
        categories=(
            Category("theme", row.theme.slug, row.theme.title),
            Category("recommendation", rec.slug, rec.title),
        ),
    )


def newest_first(updates: Sequence[Update], *, limit: int) -> list[Update]:
    """Merge updates of every kind into one list by date, newest first, keeping `limit`.

    The sort is stable, so updates of the same moment keep the order they were given in.
    """
    return sorted(updates, key=lambda update: update.occurred_at, reverse=True)[:limit]


_TAG = re.compile(r"<[^<>]*>")


def plain_text(text: str) -> str:
    """Drop anything that could become markup in a title: tags, then any `<` or `>` left.

    Titles and descriptions are plain text, but many readers render RSS titles (which have
    no type) as HTML once the XML is decoded, so a candidate named `<img onerror=…>` would
    run there. `&` stays: decoded once, it can only ever spell an entity as text.
    """
    return _TAG.sub("", text).replace("<", "").replace(">", "")


def build_feed(info: FeedInfo, updates: Sequence[Update], *, tag_authority: str) -> FeedGenerator:
    """Build a feed of `updates` (newest first) that renders as Atom or RSS 2.0.

    Every title, description and category label passes through `plain_text`.
    """
    updated = max((u.occurred_at for u in updates), default=CAMPAIGN_START)
    fg = FeedGenerator()
    fg.id(tag_uri(tag_authority, info.key))
    fg.title(plain_text(info.title))
    fg.subtitle(plain_text(info.subtitle))
    fg.description(plain_text(info.subtitle))
    fg.author({"name": SITE_NAME, "uri": info.page_url})
    # RSS takes its one channel link from the last link given, so the page goes last.
    fg.link(href=info.self_url, rel="self", type=info.self_type)
    fg.link(href=info.page_url, rel="alternate", type="text/html")
    fg.language("en-GB")
    fg.updated(updated)
    fg.lastBuildDate(updated)
    fg.pubDate(updated)
    fg.generator(SITE_NAME)
    for update in updates:
        entry = fg.add_entry(order="append")
        entry.id(tag_uri(tag_authority, update.key))
        entry.title(plain_text(update.title))
        entry.link(href=update.link, rel="alternate", type="text/html")
        entry.updated(update.occurred_at)
        entry.published(update.occurred_at)
        entry.content(str(update.content), type="html")
        for category in update.categories:
            scheme = tag_uri(tag_authority, category.scheme)
            entry.category(term=category.term, label=plain_text(category.label), scheme=scheme)
    return fg
