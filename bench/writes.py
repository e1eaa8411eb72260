"""The load benchmark's correctness check: an edit shows on the next request.

A campaigner records a fictional candidate's answer through the write API of the running
server (the path campaigners' scripts take), then changes it. After each write, the very
next GETs of the candidate's page (each URL is asked for four times, to reach the
workers' separate caches) must show the new quote, and the candidate's feed and the
all-updates feed must answer 200 with the new entry even to a reader sending the ETag it
held before the write. Whatever caching is added later has to keep passing this.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func
from sqlmodel import Session, col, select

from bench import load
from bench.fiction import BENCH_EMAIL, FICTION, invented
from bench.output import say
from tracker.accounts import create_token, revoke_token, user_by_email
from tracker.db import Database
from tracker.models import Person, Pledge, Recommendation

FEEDS = ("/feeds/candidates/{id}.atom", "/feeds/updates.atom")
ASKS = 4  # as many as the workers, so a stale cache in any one of them would likely show


def check_edits_show(base_url: str, database_url: str) -> bool:
    """Record then change a fictional candidate's answer; print whether each shows at once."""
    database = Database(database_url)
    with database.session() as session:
        person, recommendation, pledge_id = _subject(session)
    try:
        with api_token(database, "benchmark correctness check") as secret:
            api = WriteApi(base_url, secret)
            page = f"{base_url}/candidates/{person.id}-{person.slug}"
            feeds = [base_url + path.format(id=person.id) for path in FEEDS]
            say("correctness: an edit through the write API shows on the next request")
            ok = True
            for step, status in (("record", "pledged"), ("change", "partial")):
                held = {url: load.fetch(url)[1].get("ETag", "") for url in [page, *feeds]}
                quote = f"{FICTION} Benchmark check {time.time_ns()}."
                if pledge_id is None:
                    pledge_id = api.create(person.id, recommendation, status, quote)
                else:
                    api.change(pledge_id, status, quote)
                ok &= _shows(step, page, feeds, held, quote)
    finally:
        database.engine.dispose()
    say(f"correctness: {'PASS' if ok else 'FAIL'}")
    return ok


@contextmanager
def api_token(database: Database, name: str) -> Iterator[str]:
    """Yield a new API token of the benchmark campaigner, revoked when the block ends."""
    with database.session() as session:
        user = user_by_email(session, BENCH_EMAIL)
        if user is None:
            raise SystemExit(f"{BENCH_EMAIL} is missing: build the dataset with bench.make_dataset")
        token, secret = create_token(session, user, name)
        session.commit()
        token_id = token.id or 0
    try:
        yield secret
    finally:
        with database.session() as session:
            owner = user_by_email(session, BENCH_EMAIL)
            if owner is not None:
                revoke_token(session, owner, token_id)
                session.commit()


def _subject(session: Session) -> tuple[Person, str, int | None]:
    """Pick the fictional candidate with the fewest answers, and a recommendation to edit."""
    answered = (
        select(Pledge.person_id, func.count().label("n"))
        .where(col(Pledge.person_id).is_not(None))
        .group_by(col(Pledge.person_id))
        .subquery()
    )
    stmt = (
        select(Person)
        .outerjoin(answered, answered.c.person_id == Person.id)
        .where(invented(Person))
        .order_by(func.coalesce(answered.c.n, 0), col(Person.id))
    )
    person = session.exec(stmt).first()
    assert person is not None  # noqa: S101 - the dataset has candidates
    recs = list(session.exec(select(Recommendation).order_by(col(Recommendation.position))))
    theirs = session.exec(select(Pledge).where(Pledge.person_id == person.id))
    mine = {p.recommendation_id: p.id for p in theirs}
    for rec in recs:
        if rec.id not in mine:
            return person, rec.slug, None
    return person, recs[0].slug, mine[recs[0].id or 0]


class WriteFailed(Exception):
    """A write (or the read before it) was answered with an error status."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status


class WriteApi:
    """The write API, as a campaigner's script calls it."""

    def __init__(self, base_url: str, secret: str) -> None:
        self.base = f"{base_url}/api/v1"
        self.auth = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}

    def create(self, person_id: int, recommendation: str, status: str, quote: str) -> int:
        """POST a first answer and return the new pledge's id."""
        body = {
            "recommendation": recommendation,
            "person_id": person_id,
            "status": status,
            "quote": quote,
            "evidence_url": "https://evidence.example.invalid/fictional/benchmark-check",
        }
        answer = load.send("POST", f"{self.base}/pledges", self.auth, json.dumps(body))
        return int(json.loads(answer)["id"])

    def change(self, pledge_id: int, status: str, quote: str) -> None:
        """PATCH a pledge at the version it now has."""
        answered, read, content = load.fetch(f"{self.base}/pledges/{pledge_id}")
        if answered != 200:
            raise WriteFailed(answered, f"reading pledge {pledge_id}: {content[:200]!r}")
        headers = {**self.auth, "If-Match": read["ETag"]}
        body = json.dumps({"status": status, "quote": quote})
        load.send("PATCH", f"{self.base}/pledges/{pledge_id}", headers, body)


def _shows(step: str, page: str, feeds: list[str], held: dict[str, str], quote: str) -> bool:
    """Check the page and feeds show `quote` at once, even to a stale ETag, from any worker.

    Each URL is asked for several times in a row, so that whichever worker answers (each
    keeps its own caches) must already show the edit.
    """
    ok = True
    for url in [page, *feeds]:
        headers = {"If-None-Match": held[url]} if held[url] else {}
        answers = [load.fetch(url, headers) for _ in range(ASKS)]
        shown = all(status == 200 and quote.encode() in body for status, _, body in answers)
        ok &= shown
        where = url.split("/", 3)[-1]
        statuses = ",".join(str(status) for status, _, _ in answers)
        say(f"  {step:<7} /{where:<58} {statuses} {'shows the edit' if shown else 'STALE'}")
    return ok
