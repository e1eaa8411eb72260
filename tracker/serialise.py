"""The API's JSON for each resource, built from query records.

`tracker.openapi` describes exactly these shapes, and the tests validate every API answer
against it, so change both together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from tracker.models import (
    Authority,
    Document,
    Party,
    Person,
    Pledge,
    PledgeStatus,
    Recommendation,
    Theme,
)
from tracker.queries.candidates import CandidacyRow
from tracker.queries.events import EventRecord
from tracker.queries.opendata import AuthorityRecord, CandidateRecord, PledgeRecord

JSON = dict[str, Any]


class Links(Protocol):
    """Absolute addresses of the site's pages."""

    def recommendation(self, recommendation: Recommendation) -> str:
        """Return a recommendation's page."""

    def person(self, person: Person) -> str:
        """Return a candidate's page."""

    def authority(self, authority: Authority) -> str:
        """Return an authority's page."""

    def party(self, party: Party) -> str:
        """Return a party's page."""


def recommendation_json(rec: Recommendation, theme: Theme, links: Links) -> JSON:
    """Describe a recommendation in the charity's words, with its source."""
    return {
        "slug": rec.slug,
        "position": rec.position,
        "title": rec.title,
        "summary": rec.summary,
        "body": rec.body,
        "theme": {"slug": theme.slug, "title": theme.title},
        "source": {
            "title": rec.source_title,
            "publisher": rec.source_publisher,
            "date": rec.source_date,
            "url": rec.source_url,
        },
        "url": links.recommendation(rec),
    }


def pledge_json(record: PledgeRecord, links: Links) -> JSON:
    """Describe a recorded pledge: whose, on what, the answer and its evidence.

    The subject's name, party and authority are included so a journalist's script can
    print a pledge without a second request, and `fictional` marks demonstration rows.
    """
    pledge, person, authority = record.pledge, record.person, record.authority
    subject = person or authority
    page = links.person(person) if person else links.authority(authority) if authority else None
    standing = record.standing if person else None
    return {
        "id": pledge.id,
        "recommendation": record.recommendation.slug,
        "subject_type": "candidate" if person else "authority",
        "subject_name": subject.name if subject else None,
        "party": standing.party_name if standing else None,
        "authority_name": authority.name
        if authority
        else standing.authority_name
        if standing
        else None,
        "fictional": bool(subject and subject.is_demo),
        "person_id": person.id if person else None,
        "authority": authority.gss_code if authority else None,
        "authority_slug": authority.slug if authority else None,
        "status": pledge.status,
        "delivery": pledge.delivery,
        "evidence_url": pledge.evidence_url,
        "quote": pledge.quote,
        "date": _iso(pledge.evidence_date),
        "note": pledge.note,
        "version": pledge.version,
        "updated_at": _iso(pledge.updated_at),
        "url": page,
    }


def event_json(record: EventRecord) -> JSON:
    """Describe one change to a pledge, as appended to its history."""
    event = record.event
    return {
        "id": event.id,
        "pledge_id": event.pledge_id,
        "recommendation": record.recommendation_slug,
        "subject_type": "candidate" if record.person_id is not None else "authority",
        "person_id": record.person_id,
        "authority": record.authority_gss,
        "authority_slug": record.authority_slug,
        "occurred_at": _iso(event.occurred_at),
        "from_status": event.from_status,
        "to_status": event.to_status,
        "from_delivery": event.from_delivery,
        "to_delivery": event.to_delivery,
        "evidence_url": event.evidence_url,
        "quote": event.quote,
        "date": _iso(event.evidence_date),
        "note": event.note,
        "version": event.version,
    }


def candidate_json(
    record: CandidateRecord, recommendations: Sequence[Recommendation], links: Links
) -> JSON:
    """Describe a candidate, their candidacies (newest first) and their answers."""
    person = record.person
    return {
        "person_id": person.id,
        "name": person.name,
        "candidacies": [_candidacy_json(row, record.gss_codes) for row in record.candidacies],
        "answers": answers_json(record.pledges, recommendations),
        "url": links.person(person),
        "democracy_club_url": f"https://candidates.democracyclub.org.uk/person/{person.id}",
        "fictional": person.is_demo,
    }


def authority_json(
    record: AuthorityRecord, recommendations: Sequence[Recommendation], links: Links
) -> JSON:
    """Describe an authority, the bodies it sits within and its own answers."""
    a = record.authority
    return {
        "slug": a.slug,
        "gss_code": a.gss_code,
        "code": a.code,
        "name": a.name,
        "short_name": a.short_name,
        "kind": a.kind,
        "kind_name": a.kind_name,
        "nation": a.nation,
        "region": a.region,
        "county": record.county.slug if record.county else None,
        "combined_authority": record.combined.slug if record.combined else None,
        "police_force_area": record.police_area.slug if record.police_area else None,
        "answers": answers_json(record.pledges, recommendations),
        "url": links.authority(a),
        "fictional": a.is_demo,
    }


def answers_json(
    pledges: Mapping[int, Pledge], recommendations: Sequence[Recommendation]
) -> dict[str, str]:
    """Map each recommendation's slug to the subject's answer (awaiting if unrecorded)."""
    return {
        rec.slug: pledges[rec.id].status
        if rec.id is not None and rec.id in pledges
        else PledgeStatus.AWAITING.value
        for rec in recommendations
    }


def _candidacy_json(row: CandidacyRow, gss_codes: Mapping[str, str | None]) -> JSON:
    """Describe one candidacy: where, when, for which party, and the result."""
    return {
        "election_id": row.election_id,
        "ballot_paper_id": row.ballot_paper_id,
        "election_date": _iso(row.poll_date),
        "authority": gss_codes.get(row.authority_slug),
        "authority_slug": row.authority_slug,
        "post_label": row.post_label,
        "ward_gss": row.ward_gss,
        "party": row.party_name,
        "party_slug": row.party_slug,
        "elected": row.elected,
        "votes_cast": row.votes_cast,
    }


def document_json(document: Document, authority: Authority, page_url: str) -> JSON:
    """Describe a read document: what it is, whose, and where it was read."""
    return {
        "id": document.id,
        "title": document.title,
        "authority": authority.slug,
        "authority_name": authority.name,
        "source_url": document.final_url or document.url,
        "content_type": document.content_type,
        "pages": document.page_count,
        "version": document.version,
        "first_seen": _iso(document.first_seen),
        "last_seen": _iso(document.last_seen),
        "url": page_url,
    }


def _iso(value: date | datetime | None) -> str | None:
    """Write a date or time in ISO 8601, or None."""
    return value.isoformat() if value is not None else None
