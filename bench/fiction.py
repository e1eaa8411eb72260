"""The fictional rows of the benchmark dataset: people, parties, pledges, documents and matches.

Invented deterministically from a seeded random number generator. Every name is an
obviously made-up one marked "(fictional)", every link points at example.invalid, and the
only authority-level pledges belong to the fictional Benchmarkshire councils.

None of it is flagged `is_demo`: public figures leave demonstration data out, so a dataset
of demonstration rows would have the benchmarks time empty tallies and charts. Counted as
real, the rows make every page draw the figures an election night makes it draw. The
database is the benchmarks' own and never served to the public; `invented` finds its rows.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, select
from sqlmodel import col

from tracker.models import (
    Authority,
    Ballot,
    Candidacy,
    Delivery,
    Document,
    DocumentPage,
    DocumentVersion,
    Election,
    Party,
    Person,
    Pledge,
    PledgeEvent,
    PledgeStatus,
    Proposal,
    Recommendation,
    User,
)
from tracker.pipeline.store import fingerprint, url_hash
from tracker.text import slugify

FIRST_PERSON_ID = 700_000_001  # far from Democracy Club's ids and the demo's and tests'
POLL_DATE = date(2024, 5, 2)
CAMPAIGN = datetime(2024, 3, 1, 9, tzinfo=UTC)
FICTION = "(fictional benchmark text)"
BENCH_EMAIL = "bench-campaigner@example.org"
MARK = "(fictional)"  # ends the name of every invented person, party and council


def invented(model: type[Authority | Party | Person]) -> ColumnElement[bool]:
    """Return the condition for the rows this module invented (their names say so)."""
    return col(model.name).endswith(MARK)


@dataclass(frozen=True)
class Scale:
    """How much of everything to make; the defaults are a UK-wide campaign."""

    candidates: int = 12_000
    ballots: int = 3_000
    pledges: int = 60_000
    events: int = 150_000
    documents: int = 8_000
    matches: int = 40_000
    fictional_authorities: int = 20
    unanswered: int = 20  # candidates left with no answer yet (the benchmarks edit these)


FIRST_NAMES = ("Alex", "Sam", "Jo", "Chris", "Pat", "Robin", "Morgan", "Casey", "Jamie")
FIRST_NAMES += ("Taylor", "Jordan", "Riley", "Avery", "Quinn", "Rowan", "Sky", "Drew", "Ellis")
SURNAMES = ("Example", "Sample", "Placeholder", "Dummy", "Testcase", "Mockup", "Fixture", "Stub")
SURNAMES += ("Benchmark", "Specimen", "Prototype", "Loremipsum", "Notreal", "Madeup", "Fakename")
SURNAMES += ("Sandbox", "Dryrun", "Pretend", "Imaginary", "Hypothetical", "Standin", "Nobody")
PARTY_NAMES = (
    ("Benchmark Party", 22),
    ("Fixture Alliance", 18),
    ("Stub Democrats", 15),
    ("Mockup Greens", 12),
    ("Placeholder Independents", 8),
    ("Specimen Unionists", 6),
    ("Prototype Reform", 6),
    ("Sandbox Socialists", 4),
    ("Dry Run Liberals", 3),
    ("Lorem Ipsum League", 2),
    ("Independent", 4),
)
STATUS_WEIGHTS = {
    PledgeStatus.PLEDGED: 45,
    PledgeStatus.PARTIAL: 20,
    PledgeStatus.DECLINED: 15,
    PledgeStatus.AWAITING: 20,
}
DELIVERY_WEIGHTS = {
    Delivery.NOT_YET_RATED: 50,
    Delivery.IN_PROGRESS: 25,
    Delivery.DELIVERED: 15,
    Delivery.STALLED: 9,
    Delivery.BROKEN: 1,
}
RULES = ("pledge.partnership", "pledge.training", "practice.referral", "described.strategy")


class Generator:
    """Invent the rows, deterministically from the seeded random number generator."""

    def __init__(self, conn: Connection, scale: Scale, rng: random.Random) -> None:
        self.scale = scale
        self.rng = rng
        self.authorities = list(
            conn.execute(
                select(Authority.id, Authority.slug, Authority.kind, Authority.name).order_by(
                    Authority.id
                )
            )
        )
        self.recommendations = list(
            conn.execute(select(Recommendation.id, Recommendation.slug).order_by("position"))
        )
        self.user_id = conn.execute(select(User.id).where(User.email == BENCH_EMAIL)).scalar_one()
        self.next_authority_id = max(a.id for a in self.authorities) + 1

    def tables(self) -> list[tuple[Table, list[dict[str, Any]]]]:
        """Return every table's rows, parents before children."""
        fictional = self._fictional_authorities()
        parties = self._parties()
        elections, ballots = self._ballots()
        people, candidacies = self._candidates(ballots, parties)
        pledges, events = self._pledges(people, fictional)
        documents, versions, pages, matches = self._documents()
        return [
            (Authority.__table__, fictional),  # type: ignore[attr-defined]
            (Party.__table__, parties),  # type: ignore[attr-defined]
            (Election.__table__, elections),  # type: ignore[attr-defined]
            (Ballot.__table__, ballots),  # type: ignore[attr-defined]
            (Person.__table__, people),  # type: ignore[attr-defined]
            (Candidacy.__table__, candidacies),  # type: ignore[attr-defined]
            (Pledge.__table__, pledges),  # type: ignore[attr-defined]
            (PledgeEvent.__table__, events),  # type: ignore[attr-defined]
            (Document.__table__, documents),  # type: ignore[attr-defined]
            (DocumentVersion.__table__, versions),  # type: ignore[attr-defined]
            (DocumentPage.__table__, pages),  # type: ignore[attr-defined]
            (Proposal.__table__, matches),  # type: ignore[attr-defined]
        ]

    def _fictional_authorities(self) -> list[dict[str, Any]]:
        """Invent the councils that hold the authority-level pledges."""
        rows = []
        for n in range(1, self.scale.fictional_authorities + 1):
            name = f"Benchmarkshire District {n:02d} Council {MARK}"
            rows.append(
                {
                    "id": self.next_authority_id + n - 1,
                    "slug": slugify(name),
                    "name": name,
                    "short_name": f"Benchmarkshire {n:02d} (fictional)",
                    "kind": "NMD",
                    "kind_name": "Non-metropolitan district",
                    "nation": "England",
                    "region": None,
                    "website": f"https://benchmarkshire-{n:02d}.example.invalid/",
                }
            )
        return rows

    def _parties(self) -> list[dict[str, Any]]:
        """Invent the parties, each marked fictional."""
        return [
            {
                "id": n,
                "dc_id": f"bench-party:{n}",
                "name": f"{name} {MARK}",
                "slug": slugify(f"{name} fictional"),
            }
            for n, (name, _) in enumerate(PARTY_NAMES, start=1)
        ]

    def _ballots(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Hold one election per real authority, and spread the ballots over the councils."""
        single = [a for a in self.authorities if a.kind in ("PFA", "COMB", "SRA")]
        councils = [a for a in self.authorities if a not in single]
        wards = _spread(self.rng, self.scale.ballots - len(single), len(councils), low=1)
        elections: list[dict[str, Any]] = []
        ballots: list[dict[str, Any]] = []
        for authority, count in [(a, 1) for a in single] + list(zip(councils, wards, strict=True)):
            kind = {"PFA": "pcc", "COMB": "mayor", "SRA": "mayor"}.get(authority.kind, "local")
            election_id = f"{kind}.{authority.slug}.{POLL_DATE}"
            elections.append(
                {
                    "id": len(elections) + 1,
                    "election_id": election_id,
                    "kind": kind,
                    "poll_date": POLL_DATE,
                    "authority_id": authority.id,
                }
            )
            for ward in range(1, count + 1):
                label = authority.name if kind != "local" else f"Fictional Ward {ward:02d}"
                paper = f"{kind}.{authority.slug}.{slugify(label)}.{POLL_DATE}"
                ballots.append(
                    {
                        "id": len(ballots) + 1,
                        "ballot_paper_id": paper if kind == "local" else election_id,
                        "election_id": len(elections),
                        "post_label": label,
                        "seats_contested": 1,
                        "cancelled": False,
                    }
                )
        return elections, ballots

    def _candidates(
        self, ballots: list[dict[str, Any]], parties: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Stand the fictional people, a few to a ballot, each for a fictional party."""
        sizes = _spread(self.rng, self.scale.candidates, len(ballots), low=2)
        weights = [weight for _, weight in PARTY_NAMES]
        people: list[dict[str, Any]] = []
        candidacies: list[dict[str, Any]] = []
        for ballot, size in zip(ballots, sizes, strict=True):
            votes = sorted((self.rng.randint(80, 3000) for _ in range(size)), reverse=True)
            for place, vote in enumerate(votes):
                person_id = FIRST_PERSON_ID + len(people)
                name = self._name()
                people.append({"id": person_id, "name": name, "slug": slugify(name)})
                party = self.rng.choices(parties, weights)[0]
                candidacies.append(
                    {
                        "id": len(candidacies) + 1,
                        "person_id": person_id,
                        "ballot_id": ballot["id"],
                        "party_id": party["id"],
                        "votes_cast": vote,
                        "elected": place == 0,
                    }
                )
        return people, candidacies

    def _name(self) -> str:
        """Return an obviously invented name, marked as fictional."""
        first = self.rng.choice(FIRST_NAMES)
        initial = chr(ord("A") + self.rng.randrange(26))
        return f"{first} {initial}. {self.rng.choice(SURNAMES)} {MARK}"

    def _pledges(
        self, people: list[dict[str, Any]], fictional: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Record answers for the fictional people and councils, each with its history."""
        recs = self.recommendations
        subjects: list[tuple[str, int]] = [("authority_id", a["id"]) for a in fictional]
        answering = people[: len(people) - self.scale.unanswered]
        subjects += [("person_id", p["id"]) for p in answering]
        slots = [(kind, subject, rec) for kind, subject in subjects for rec in recs]
        self.rng.shuffle(slots)
        slots = slots[: self.scale.pledges]
        extra = _spread(self.rng, self.scale.events - len(slots), len(slots), low=0, high=4)
        histories = [self._history(1 + more) for more in extra]
        # Ids follow time, as they would had the answers been recorded one by one.
        order = sorted(range(len(slots)), key=lambda i: histories[i][0]["occurred_at"])
        pledges: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for pledge_id, index in enumerate(order, start=1):
            kind, subject, rec = slots[index]
            history = histories[index]
            for event in history:
                event["pledge_id"] = pledge_id
                if event["evidence_url"]:
                    event["evidence_url"] += f"/{pledge_id}"
            last = history[-1]
            pledges.append(
                {
                    "id": pledge_id,
                    "recommendation_id": rec.id,
                    "person_id": subject if kind == "person_id" else None,
                    "authority_id": subject if kind == "authority_id" else None,
                    "status": last["to_status"],
                    "delivery": last["to_delivery"],
                    "evidence_url": last["evidence_url"],
                    "quote": last["quote"],
                    "evidence_date": last["evidence_date"],
                    "note": None,
                    "created_at": history[0]["occurred_at"],
                    "updated_at": last["occurred_at"],
                    "version": len(history),
                }
            )
            events.extend(history)
        events.sort(key=lambda e: (e["occurred_at"], e["pledge_id"]))
        for event_id, event in enumerate(events, start=1):
            event["id"] = event_id
        return pledges, events

    def _history(self, length: int) -> list[dict[str, Any]]:
        """Invent a pledge's changes, oldest first, ending in its current answer."""
        when = CAMPAIGN + timedelta(minutes=self.rng.randrange(60 * 24 * 120))
        status: str | None = None
        delivery: str | None = None
        events = []
        for n in range(length):
            new_status = self._status(answered=n == 0)
            pledged = new_status in (PledgeStatus.PLEDGED, PledgeStatus.PARTIAL)
            new_delivery = self._delivery() if pledged and n else Delivery.NOT_YET_RATED
            evidence = new_status is not PledgeStatus.AWAITING
            events.append(
                {
                    "occurred_at": when,
                    "actor_id": self.user_id,
                    "from_status": status,
                    "to_status": new_status.value,
                    "from_delivery": delivery,
                    "to_delivery": new_delivery.value,
                    "evidence_url": (
                        f"https://evidence.example.invalid/fictional/{n}" if evidence else None
                    ),
                    "quote": f"{FICTION} We will act on this, change {n + 1}."
                    if evidence
                    else None,
                    "evidence_date": when.date() if evidence else None,
                    "note": None,
                    "version": n + 1,
                }
            )
            status, delivery = new_status.value, new_delivery.value
            when += timedelta(minutes=self.rng.randrange(60, 60 * 24 * 30))
        return events

    def _status(self, *, answered: bool) -> PledgeStatus:
        """Draw a status; a first answer is never "awaiting" (that would record nothing)."""
        choices = [s for s in STATUS_WEIGHTS if not (answered and s is PledgeStatus.AWAITING)]
        return self.rng.choices(choices, [STATUS_WEIGHTS[s] for s in choices])[0]

    def _delivery(self) -> Delivery:
        """Draw a delivery rating."""
        return self.rng.choices(list(DELIVERY_WEIGHTS), list(DELIVERY_WEIGHTS.values()))[0]

    def _documents(
        self,
    ) -> tuple[
        list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]
    ]:
        """Invent scraped documents under the real authorities, with pending matches only."""
        per_doc = _spread(self.rng, self.scale.matches, self.scale.documents, low=0, high=12)
        documents: list[dict[str, Any]] = []
        versions: list[dict[str, Any]] = []
        pages: list[dict[str, Any]] = []
        matches: list[dict[str, Any]] = []
        for n, match_count in enumerate(per_doc, start=1):
            authority = self.authorities[n % len(self.authorities)]
            url = f"https://{authority.slug}.example.invalid/fictional/document-{n}.html"
            seen = CAMPAIGN + timedelta(minutes=self.rng.randrange(60 * 24 * 200))
            body = self._document_text(n, match_count)
            digest = hashlib.sha256(body.encode()).hexdigest()
            documents.append(
                {
                    "id": n,
                    "authority_id": authority.id,
                    "url": url,
                    "url_hash": url_hash(url),
                    "final_url": url,
                    "title": f"Document {n} {FICTION}",
                    "content_type": "text/html; charset=utf-8",
                    "sha256": digest,
                    "size": len(body),
                    "status": "ok",
                    "version": 1,
                    "first_seen": seen,
                    "last_seen": seen,
                    "fetched_at": seen,
                }
            )
            versions.append(
                {
                    "id": n,
                    "document_id": n,
                    "number": 1,
                    "sha256": digest,
                    "fetched_at": seen,
                    "text": body,
                }
            )
            pages.append({"id": n, "document_id": n, "position": 0, "page": None, "text": body})
            for m in range(match_count):
                passage = _passage(n, m)
                start = body.index(passage)
                matches.append(
                    {
                        "id": len(matches) + 1,
                        "document_id": n,
                        "recommendation_id": self.recommendations[m % 5].id,
                        "fingerprint": fingerprint(self.recommendations[m % 5].slug, passage),
                        "passage": passage,
                        "start": start,
                        "end": start + len(passage),
                        "score": round(self.rng.uniform(0.2, 0.95), 3),
                        "rule": RULES[m % len(RULES)],
                        "first_version": 1,
                        "review_status": "pending",
                        "created_at": seen,
                    }
                )
        return documents, versions, pages, matches

    def _document_text(self, n: int, match_count: int) -> str:
        """Return a fictional document's text holding its matched passages.

        Each names one of a few topics, so a search matches a share of the documents, as a
        real one would, rather than every one of them.
        """
        filler = f"{FICTION} Minutes of a fictional committee meeting, item {n}. " * 6
        topic = f"The committee discussed {TOPICS[n % len(TOPICS)]} at length."
        passages = (_passage(n, m) for m in range(match_count))
        return "\n\n".join([filler, topic, *passages, filler])


TOPICS = (
    "the multi-agency partnership",
    "independent advocacy for survivors",
    "safe accommodation",
    "people with lived experience",
    "county lines exploitation",
    "labour exploitation in car washes",
    "training for frontline staff",
    "the National Referral Mechanism",
    "supply chain transparency",
    "cuckooing of vulnerable tenants",
    "sexual exploitation",
    "the community safety plan",
    "funding for a coordinator",
    "information sharing between agencies",
    "support for children at risk",
    "the police and crime plan",
    "awareness campaigns",
    "data on referrals",
    "housing pathways",
    "the safeguarding adults board",
)


def _passage(document: int, number: int) -> str:
    """Return one fictional matched passage."""
    return (
        f"{FICTION} Passage {number + 1} of document {document}: the fictional council "
        "will work with partners to tackle modern slavery and train its staff."
    )


def _spread(
    rng: random.Random, total: int, buckets: int, *, low: int, high: int | None = None
) -> list[int]:
    """Split `total` into `buckets` random whole parts, each between `low` and `high`."""
    if buckets == 0:
        return []
    base, rest = divmod(total, buckets)
    sizes = [base + (1 if i < rest else 0) for i in range(buckets)]
    ceiling = high if high is not None else base * 3 + 1
    for _ in range(buckets * 2):
        give, take = rng.randrange(buckets), rng.randrange(buckets)
        if sizes[give] > low and sizes[take] < ceiling:
            sizes[give] -= 1
            sizes[take] += 1
    rng.shuffle(sizes)
    return sizes
