"""The CSV downloads: their columns, what each means, and how a record fills a row.

Column names are part of the public interface: journalists' scripts and spreadsheets
refer to them, so add columns at the end and never rename one. The /data page prints
the descriptions from here, so the documentation cannot drift from the files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from tracker.models import (
    Authority,
    Document,
    Party,
    Person,
    Pledge,
    PledgeStatus,
    Recommendation,
)
from tracker.queries.candidates import CandidacyRow
from tracker.queries.events import Scope, preferred_candidacy
from tracker.queries.opendata import AuthorityRecord, CandidateRecord, PledgeRecord

# Spreadsheets run a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 200
Row = Mapping[str, object]


class Links(Protocol):
    """Absolute addresses of the pages a row links to."""

    def person(self, person: Person) -> str:
        """Return a candidate's page."""

    def authority(self, authority: Authority) -> str:
        """Return an authority's page."""

    def party(self, party: Party) -> str:
        """Return a party's page."""


@dataclass(frozen=True)
class Column:
    """A CSV column and what it holds."""

    name: str
    description: str


# Downloads keep demonstration rows (a file is a list, not a count) and mark them.
_FICTIONAL = Column(
    "fictional",
    "true for the site's fictional demonstration data, which no count or chart includes.",
)

_SUBJECT = [
    Column("party", "The candidate's party, in the candidacy described by the next columns."),
    Column("authority", "The authority the candidate stood for, or whose pledge it is."),
    Column("authority_slug", "That authority's key in this site's addresses and the API."),
    Column("authority_gss", "That authority's ONS (GSS) code, e.g. E08000019."),
    Column("ward", "The ward, division or area the candidate stood in."),
    Column("election_date", "The date of that election (YYYY-MM-DD)."),
]

PLEDGE_COLUMNS = [
    Column("pledge_id", "The pledge's id here; the API serves it at /api/v1/pledges/<id>."),
    Column("subject_type", "candidate or authority: whose pledge it is."),
    Column("person_id", "The candidate's Democracy Club person id (blank for authorities)."),
    Column("name", "The candidate's or the authority's name."),
    *_SUBJECT,
    Column("recommendation", "The recommendation's short key, e.g. pathways-to-support."),
    Column("recommendation_title", "The recommendation's title."),
    Column("theme", "The campaign theme the recommendation belongs to."),
    Column("status", "pledged, partial, declined or awaiting-response."),
    Column("delivery", "not-yet-rated, in-progress, delivered, stalled or broken."),
    Column("evidence_url", "The source of the answer: a web page or document."),
    Column("quote", "The words of the answer, quoted from the source."),
    Column("evidence_date", "When the answer was given (YYYY-MM-DD)."),
    Column(
        "note", "A campaigner's public note on the answer (internal notes are never published)."
    ),
    Column("version", "How many times this pledge has been saved."),
    Column("updated_at", "When it was last saved (ISO 8601, UTC)."),
    Column("page_url", "The page showing this pledge."),
    Column("ward_gss", "The ONS (GSS) code of the candidate's ward, where it has one."),
    _FICTIONAL,
]

CANDIDATE_COLUMNS = [
    Column("person_id", "The Democracy Club person id."),
    Column("name", "The candidate's name."),
    *_SUBJECT,
    Column("election_id", "The Democracy Club election id, e.g. local.sheffield.2024-05-02."),
    Column("elected", "true or false once the result is known; blank before."),
    Column("votes", "Votes cast for the candidate, when known."),
    Column("candidacies", "How many elections the candidate is recorded as standing in."),
    Column("pledged", "How many recommendations they pledged in full or in part."),
    Column("page_url", "The candidate's page."),
    Column("democracy_club_url", "The candidate's page on Democracy Club."),
]
# Added after the per-recommendation status columns, so no earlier column moves.
CANDIDATE_ADDED_COLUMNS = [
    Column("ward_gss", "The ONS (GSS) code of that candidacy's ward, where it has one."),
    _FICTIONAL,
]

AUTHORITY_COLUMNS = [
    Column("slug", "The authority's key in this site's addresses and the API."),
    Column("name", "The authority's official name."),
    Column("short_name", "The name people use, e.g. Sheffield."),
    Column("gss_code", "The ONS (GSS) code."),
    Column("code", "mySociety's three- or four-letter local authority code."),
    Column("kind", "The type code: MD, CTY, UA, NMD, LBO, COMB, PFA and so on."),
    Column("kind_name", "The type in words."),
    Column("nation", "England, Scotland, Wales or Northern Ireland."),
    Column("region", "The English region, where there is one."),
    Column("county_slug", "For a district, its county council."),
    Column("combined_authority_slug", "The combined authority it belongs to."),
    Column("police_force_area_slug", "The police force area it lies in."),
    Column("pledged", "How many recommendations the authority pledged in full or in part."),
    Column("page_url", "The authority's page."),
]
# Added after the per-recommendation status columns, so no earlier column moves.
AUTHORITY_ADDED_COLUMNS = [_FICTIONAL]

STATUS_COLUMN_NOTE = (
    "Then one column per recommendation, status_<recommendation>, holding the answer: "
    "pledged, partial, declined or awaiting-response."
)


def status_columns(recommendations: Sequence[Recommendation]) -> list[Column]:
    """Return the per-recommendation status columns, in the campaign's order."""
    return [
        Column(f"status_{rec.slug.replace('-', '_')}", f"The answer to “{rec.title}”.")
        for rec in recommendations
    ]


def pledge_row(record: PledgeRecord, links: Links) -> Row:
    """Fill a pledges.csv row."""
    pledge, person, authority = record.pledge, record.person, record.authority
    subject = person or authority
    page = links.person(person) if person else links.authority(authority) if authority else ""
    return {
        "pledge_id": pledge.id,
        "subject_type": "candidate" if person else "authority",
        "person_id": person.id if person else None,
        "name": person.name if person else authority.name if authority else "",
        **(_standing(record.standing, record.gss_codes) if person else _own(authority)),
        "recommendation": record.recommendation.slug,
        "recommendation_title": record.recommendation.title,
        "theme": record.theme.title,
        "status": pledge.status,
        "delivery": pledge.delivery,
        "evidence_url": pledge.evidence_url,
        "quote": pledge.quote,
        "evidence_date": pledge.evidence_date,
        "note": pledge.note,
        "version": pledge.version,
        "updated_at": pledge.updated_at,
        "page_url": page,
        "ward_gss": record.standing.ward_gss if person and record.standing else None,
        "fictional": bool(subject and subject.is_demo),
    }


def candidate_row(
    record: CandidateRecord,
    recommendations: Sequence[Recommendation],
    scope: Scope,
    links: Links,
) -> Row:
    """Fill a candidates.csv row, describing the candidacy that fits the filters best."""
    person = record.person
    standing = preferred_candidacy(record.candidacies, scope)
    return {
        "person_id": person.id,
        "name": person.name,
        **_standing(standing, record.gss_codes),
        "election_id": standing.election_id if standing else None,
        "elected": standing.elected if standing else None,
        "votes": standing.votes_cast if standing else None,
        "candidacies": len(record.candidacies),
        **_answers(record.pledges, recommendations),
        "page_url": links.person(person),
        "democracy_club_url": f"https://candidates.democracyclub.org.uk/person/{person.id}",
        "ward_gss": standing.ward_gss if standing else None,
        "fictional": person.is_demo,
    }


def authority_row(
    record: AuthorityRecord, recommendations: Sequence[Recommendation], links: Links
) -> Row:
    """Fill an authorities.csv row."""
    a = record.authority
    return {
        "slug": a.slug,
        "name": a.name,
        "short_name": a.short_name,
        "gss_code": a.gss_code,
        "code": a.code,
        "kind": a.kind,
        "kind_name": a.kind_name,
        "nation": a.nation,
        "region": a.region,
        "county_slug": record.county.slug if record.county else None,
        "combined_authority_slug": record.combined.slug if record.combined else None,
        "police_force_area_slug": record.police_area.slug if record.police_area else None,
        **_answers(record.pledges, recommendations),
        "page_url": links.authority(a),
        "fictional": a.is_demo,
    }


def _standing(row: CandidacyRow | None, gss_codes: Mapping[str, str | None]) -> Row:
    """Describe a candidacy in the shared subject columns."""
    if row is None:
        return dict.fromkeys(column.name for column in _SUBJECT)
    return {
        "party": row.party_name,
        "authority": row.authority_name,
        "authority_slug": row.authority_slug,
        "authority_gss": gss_codes.get(row.authority_slug),
        "ward": row.post_label,
        "election_date": row.poll_date,
    }


def _own(authority: Authority | None) -> Row:
    """Describe an authority's own pledge in the shared subject columns."""
    return {
        **dict.fromkeys(column.name for column in _SUBJECT),
        "authority": authority.short_name if authority else None,
        "authority_slug": authority.slug if authority else None,
        "authority_gss": authority.gss_code if authority else None,
    }


def _answers(pledges: Mapping[int, Pledge], recommendations: Sequence[Recommendation]) -> Row:
    """Return the pledged count and each recommendation's status (awaiting if unrecorded)."""
    statuses = {
        column.name: pledges[rec.id].status
        if rec.id is not None and rec.id in pledges
        else PledgeStatus.AWAITING.value
        for column, rec in zip(status_columns(recommendations), recommendations, strict=True)
    }
    kept = (PledgeStatus.PLEDGED.value, PledgeStatus.PARTIAL.value)
    return {"pledged": sum(s in kept for s in statuses.values()), **statuses}


def cell(value: object) -> str:
    """Write one value as text a spreadsheet shows and never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if not isinstance(value, str):
        return str(value)
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def csv_chunks(columns: Sequence[Column], rows: Iterable[Row]) -> Iterator[str]:
    """Yield a CSV file (header first) a few hundred rows at a time, for streaming."""
    names = [column.name for column in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(names)
    for count, row in enumerate(rows, start=1):
        writer.writerow([cell(row.get(name)) for name in names])
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


DOCUMENT_COLUMNS = [
    Column("document_id", "The document's id here; its page is /documents/<id>."),
    Column("title", "The document's title, as it gives it (empty when it gives none)."),
    Column("authority", "The authority that published it."),
    Column("authority_slug", "That authority's key in this site's addresses and the API."),
    Column("authority_gss", "That authority's ONS (GSS) code, e.g. E08000019."),
    Column("source_url", "Where the document was read, after any redirect."),
    Column("content_type", "Its format, as the server described it."),
    Column("pages", "How many pages it has (PDFs); empty for web pages and Word files."),
    Column("version", "How many distinct versions of it have been read."),
    Column("first_seen", "When it was first read (ISO 8601, UTC)."),
    Column("last_seen", "When it was last read."),
    Column("page_url", "Its page on this site."),
]


def document_row(document: Document, authority: Authority, page_url: str) -> Row:
    """Return one row of the document list."""
    return {
        "document_id": document.id,
        "title": document.title,
        "authority": authority.name,
        "authority_slug": authority.slug,
        "authority_gss": authority.gss_code,
        "source_url": document.final_url or document.url,
        "content_type": document.content_type,
        "pages": document.page_count,
        "version": document.version,
        "first_seen": document.first_seen,
        "last_seen": document.last_seen,
        "page_url": page_url,
    }
