"""Soak: the site under sustained load while a campaigner writes; nothing fails, nothing is lost.

gunicorn serves the national-scale dataset with several sync workers, as in production,
keeping drawn pages in Redis; wrk walks every public page type, feed and download at 64
connections, each connection starting at a different URL: first for 30 s with nobody
writing, then for 30 s more while one writer records and changes fictional candidates'
answers through the write API, one write a second, as a campaigner's import does on
election night. Then it checks:

- the read rate with the writer is at least RATIO_GOAL of the rate without it, measured
  in the same run against the same server;
- zero 5xx answers (counted by wrk's script), no failed request of any kind, and no error
  or traceback in gunicorn's log;
- zero lost writes: every write the API acknowledged has its event in the history, and
  each pledge holds the last answer acknowledged for it;
- no stale page: right after each acknowledged write, the candidate's page and feed show
  the new quote;
- memory flat: the server's resident memory (master and workers) in the second half of
  the run grows at most GROWTH over its peak in the first half.

`make soak` runs the full length; `tests/test_soak.py` runs the same checks for a few
seconds on a small dataset in `make test`. Run: `python -m bench.soak`.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
import urllib.error
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import click
from redis import Redis
from sqlmodel import col, select

from bench import load, make_dataset
from bench.fiction import FICTION, invented
from bench.output import say
from bench.pages import pick_subjects, public_targets
from bench.servers import Server, gunicorn, wait_idle
from bench.writes import WriteApi, WriteFailed, api_token
from tracker.db import Database
from tracker.models import Person, Pledge, PledgeEvent, Recommendation
from tracker.page_store import RedisPageCache

SCRIPT = Path(__file__).resolve().parent / "wrk" / "rotate.lua"
SECONDS = 30  # each phase: without the writer, then with it
CONNECTIONS = 64
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
WRITE_INTERVAL_S = 1.0  # one write a second
RATIO_GOAL = 0.5  # of the read rate without writes
WORKERS = 4
GROWTH = 0.10  # of the first half's peak resident memory, and at least MIN_GROWTH_MB
MIN_GROWTH_MB = 8.0
SAMPLE_S = 0.25
WRITTEN_PEOPLE = 10
STATUSES = ("pledged", "partial")


@dataclass
class Outcome:
    """What one soak saw: the load, the writes and the server's memory."""

    seconds: int
    connections: int
    urls: int
    quiet_requests: int = 0  # answered with nobody writing
    requests: int = 0  # answered while the writer writes
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    server_errors: int = 0
    other_errors: int = 0
    acknowledged: int = 0
    refused: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    memory_mb: list[float] = field(default_factory=list)
    log_troubles: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        """Return the read rate with the writer as a share of the rate without it."""
        return self.requests / self.quiet_requests if self.quiet_requests else 0.0

    @property
    def first_half_mb(self) -> float:
        """Return the peak resident memory over the first half of the samples."""
        half = self.memory_mb[: max(1, len(self.memory_mb) // 2)]
        return max(half, default=0.0)

    @property
    def second_half_mb(self) -> float:
        """Return the peak resident memory over the second half of the samples."""
        return max(self.memory_mb[len(self.memory_mb) // 2 :], default=0.0)

    @property
    def memory_flat(self) -> bool:
        """Return whether memory stopped growing once warm (a leak keeps climbing)."""
        allowed = max(self.first_half_mb * GROWTH, MIN_GROWTH_MB)
        return self.second_half_mb <= self.first_half_mb + allowed

    def problems(self, ratio_goal: float = RATIO_GOAL) -> list[str]:
        """Return every way the soak failed; empty when it passed."""
        found = []
        if not self.requests or not self.acknowledged:
            found.append(f"too little happened: {self.requests} reads, {self.acknowledged} writes")
        if self.ratio < ratio_goal:
            found.append(f"reads with the writer were {self.ratio:.2f} of those without")
        if self.server_errors:
            found.append(f"{self.server_errors} answers were 5xx")
        if self.other_errors:
            found.append(f"{self.other_errors} requests failed (connect, read, timeout or 4xx)")
        if self.refused:
            found.append(f"{len(self.refused)} writes refused, first: {self.refused[0]}")
        if self.lost:
            found.append(f"{len(self.lost)} acknowledged writes lost, first: {self.lost[0]}")
        if self.stale:
            found.append(f"{len(self.stale)} stale pages after a write, first: {self.stale[0]}")
        if not self.memory_flat:
            found.append(
                f"memory grew from {self.first_half_mb:.0f} MB to {self.second_half_mb:.0f} MB"
            )
        if self.log_troubles:
            found.append(f"gunicorn logged trouble: {self.log_troubles[0][:200]}")
        return found


def main(argv: Sequence[str] | None = None) -> int:
    """Soak the site on the national dataset and print what happened."""
    return _cli.main(args=list(argv) if argv is not None else None, standalone_mode=False) or 0


@click.command()
@click.option("--database-url", help="default: the SQLite dataset bench.make_dataset builds")
@click.option("--seconds", default=SECONDS, show_default=True)
@click.option("--connections", default=CONNECTIONS, show_default=True)
@click.option("--workers", default=WORKERS, show_default=True)
@click.option("--redis-url", default=REDIS_URL, show_default=True, help="where pages are kept")
def _cli(
    database_url: str | None, seconds: int, connections: int, workers: int, redis_url: str
) -> int:
    """Load every public URL, then again while a writer records pledges; compare the rates."""
    url = database_url or make_dataset.default_url()
    make_dataset.ensure(url)
    load.describe_machine(url.split("@")[-1])
    outcome = soak(
        url, seconds=seconds, connections=connections, workers=workers, redis_url=redis_url
    )
    report(outcome)
    return 1 if outcome.problems() else 0


def soak(
    database_url: str, *, seconds: int, connections: int, workers: int, redis_url: str
) -> Outcome:
    """Serve `database_url`, load it with wrk, then again while one writer writes; check."""
    paths = [target.path for target in public_targets(pick_subjects(database_url))]
    outcome = Outcome(seconds, connections, len(paths))
    database = Database(database_url)
    prefix = f"soak-{uuid.uuid4().hex[:12]}"  # this run's pages, dropped at the end
    env = {"REDIS_URL": redis_url, "PAGE_CACHE_PREFIX": prefix}
    try:
        with (
            api_token(database, "soak writer") as secret,
            gunicorn(database_url, workers=workers, env=env) as server,
        ):
            wait_idle(server)
            pairs, pages = _written_pairs(database)
            pages = {
                person: [server.base_url + path for path in paths]
                for person, paths in pages.items()
            }
            writer = _Writer(WriteApi(server.base_url, secret), pairs, pages)
            _run_phases(server, writer, paths, outcome)
            outcome.log_troubles = server.troubles()
        outcome.acknowledged = len(writer.quotes)
        outcome.refused = writer.refused
        outcome.stale = writer.stale
        outcome.lost = _lost(database, writer)
    finally:
        database.engine.dispose()
        RedisPageCache(Redis.from_url(redis_url), prefix + ":").clear()
    return outcome


def _run_phases(server: Server, writer: _Writer, paths: list[str], outcome: Outcome) -> None:
    """Run wrk with nobody writing, then with the writer, sampling memory throughout.

    Every URL is drawn once first, so neither phase pays for the first drawings.
    """
    for path in paths:
        load.fetch(server.base_url + path)
    stop, stop_writing = threading.Event(), threading.Event()
    sampler = threading.Thread(target=_sample_memory, args=(server.pid, outcome.memory_mb, stop))
    sampler.start()
    try:
        quiet = _wrk(server.base_url, paths, outcome.seconds, outcome.connections)
        writing = threading.Thread(target=writer.write_until, args=(stop_writing,))
        writing.start()
        try:
            figures = _wrk(server.base_url, paths, outcome.seconds, outcome.connections)
        finally:
            stop_writing.set()
            writing.join()
    finally:
        stop.set()
        sampler.join()
    outcome.quiet_requests = quiet["requests"]
    outcome.requests = figures["requests"]
    outcome.p50_ms = figures["p50_us"] / 1e3
    outcome.p99_ms = figures["p99_us"] / 1e3
    server_errors = quiet["server_errors"] + figures["server_errors"]
    outcome.server_errors = server_errors + writer.server_errors
    failed = load.failed_requests(quiet) + load.failed_requests(figures)
    outcome.other_errors = failed - server_errors


def _written_pairs(
    database: Database,
) -> tuple[list[tuple[int, str, int | None]], dict[int, list[str]]]:
    """Return the (person, recommendation, pledge id if any) pairs the writer cycles through,
    and each person's page and feed, which must show every write at once.

    Only fictional candidates are written to, WRITTEN_PEOPLE of them, every recommendation.
    """
    with database.session() as session:
        found = session.exec(
            select(Person.id, Person.slug)
            .where(invented(Person))
            .order_by(col(Person.id))
            .limit(WRITTEN_PEOPLE)
        ).all()
        people = [person for person, _ in found]
        recommendations = session.exec(
            select(Recommendation.id, Recommendation.slug).order_by(col(Recommendation.position))
        ).all()
        existing = {
            (pledge.person_id or 0, pledge.recommendation_id): pledge.id
            for pledge in session.exec(select(Pledge).where(col(Pledge.person_id).in_(people)))
        }
    pairs = [
        (person or 0, slug, existing.get((person or 0, rec_id or 0)))
        for person in people
        for rec_id, slug in recommendations
    ]
    pages = {
        person: [f"/candidates/{person}-{slug}", f"/feeds/candidates/{person}.atom"]
        for person, slug in found
    }
    return pairs, pages


class _Writer:
    """A campaigner's script: records and changes answers in turn, one a second."""

    def __init__(
        self,
        api: WriteApi,
        pairs: list[tuple[int, str, int | None]],
        pages: dict[int, list[str]],
    ) -> None:
        self.api = api
        self.pairs = pairs
        self.pages = pages
        self.quotes: list[str] = []  # every quote the API acknowledged, in order
        self.latest: dict[int, str] = {}  # pledge id -> the last quote acknowledged for it
        self.refused: list[str] = []
        self.stale: list[str] = []
        self.server_errors = 0

    def write_until(self, stop: threading.Event) -> None:
        """Cycle through the pairs, one write every WRITE_INTERVAL_S, until `stop` is set."""
        pledge_ids = {(person, slug): pledge for person, slug, pledge in self.pairs}
        run = uuid.uuid4().hex[:12]  # so writes of an earlier soak on the same data never count
        number = 0
        started = time.monotonic()
        while not stop.wait(max(0.0, started + number * WRITE_INTERVAL_S - time.monotonic())):
            person, slug, _ = self.pairs[number % len(self.pairs)]
            status = STATUSES[(number // len(self.pairs)) % len(STATUSES)]
            quote = f"{FICTION} Soak {run} write {number}."
            number += 1
            try:
                pledge = pledge_ids[person, slug]
                if pledge is None:
                    pledge = self.api.create(person, slug, status, quote)
                    pledge_ids[person, slug] = pledge
                else:
                    self.api.change(pledge, status, quote)
            except urllib.error.HTTPError as error:
                self._refused(number - 1, error.code, repr(error.read()[:200]))
                continue
            except WriteFailed as error:
                self._refused(number - 1, error.status, str(error))
                continue
            except Exception as error:  # noqa: BLE001 - any failure is a refused write, reported
                self.refused.append(f"write {number - 1}: {type(error).__name__}: {error}")
                continue
            self.quotes.append(quote)
            self.latest[pledge] = quote
            self._check_shown(person, quote)

    def _check_shown(self, person: int, quote: str) -> None:
        """Note each of the person's pages that does not show the write just acknowledged."""
        for url in self.pages[person]:
            status, _, body = load.fetch(url)
            if status != 200 or quote.encode() not in body:
                self.stale.append(f"{url} answered {status} without {quote!r}")

    def _refused(self, number: int, status: int, detail: str) -> None:
        """Note a write the server refused, counting it as a 5xx when it was one."""
        self.server_errors += status >= 500
        self.refused.append(f"write {number}: HTTP {status} {detail}")


def _wrk(base_url: str, paths: list[str], seconds: int, connections: int) -> dict[str, int]:
    """Run wrk over every path at once and return the figures its script prints."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(paths) + "\n")
    try:
        return load.run_wrk(
            base_url,
            script=SCRIPT,
            seconds=seconds,
            connections=connections,
            env={"WRK_PATHS": listing.name},
        )
    finally:
        os.unlink(listing.name)


def _sample_memory(pid: int, samples: list[float], stop: threading.Event) -> None:
    """Append the server's resident memory in MB every SAMPLE_S until `stop` is set."""
    page_mb = os.sysconf("SC_PAGE_SIZE") / 2**20
    while not stop.wait(SAMPLE_S):
        samples.append(sum(_resident_pages(pid)) * page_mb)


def _resident_pages(group: int) -> Iterator[int]:
    """Yield the resident pages of every process in the process group `group`."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group:
                yield int((stat.parent / "statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended between listing and reading


def _lost(database: Database, writer: _Writer) -> list[str]:
    """Return each acknowledged write the database does not hold."""
    lost = []
    with database.session() as session:
        recorded: set[str] = set()
        for start in range(0, len(writer.quotes), 500):
            chunk = writer.quotes[start : start + 500]
            found = session.exec(select(PledgeEvent.quote).where(col(PledgeEvent.quote).in_(chunk)))
            recorded.update(quote for quote in found if quote)
        lost += [f"no event for {quote!r}" for quote in writer.quotes if quote not in recorded]
        held = dict(
            session.exec(
                select(Pledge.id, Pledge.quote).where(col(Pledge.id).in_(list(writer.latest)))
            ).all()
        )
        lost += [
            f"pledge {pledge} holds {held.get(pledge)!r}, not the acknowledged {quote!r}"
            for pledge, quote in writer.latest.items()
            if held.get(pledge) != quote
        ]
    return lost


def report(outcome: Outcome) -> None:
    """Print the soak's figures and its verdict."""
    seconds = max(outcome.seconds, 1)
    growth = outcome.second_half_mb - outcome.first_half_mb
    say(
        f"soak: {outcome.seconds} s without writes, then {outcome.seconds} s with one write "
        f"every {WRITE_INTERVAL_S:g} s on the write API; {outcome.connections} connections "
        f"over {outcome.urls} public URLs"
    )
    say(
        f"{'reads, nobody writing':<24} {outcome.quiet_requests:,} "
        f"({outcome.quiet_requests / seconds:,.0f}/s)"
    )
    say(
        f"{'reads, writer writing':<24} {outcome.requests:,} "
        f"({outcome.requests / seconds:,.0f}/s), "
        f"p50 {outcome.p50_ms:.1f} ms, p99 {outcome.p99_ms:.1f} ms"
    )
    say(f"{'with / without writes':<24} {outcome.ratio:.2f} (goal >= {RATIO_GOAL})")
    say(f"{'5xx answers':<24} {outcome.server_errors}")
    say(f"{'other failed requests':<24} {outcome.other_errors}")
    say(
        f"{'writes acknowledged':<24} {outcome.acknowledged:,} "
        f"({outcome.acknowledged / max(outcome.seconds, 1):,.1f}/s), refused {len(outcome.refused)}"
    )
    say(f"{'acknowledged but lost':<24} {len(outcome.lost)}")
    say(f"{'stale after a write':<24} {len(outcome.stale)}")
    say(
        f"{'server memory':<24} peak {outcome.first_half_mb:.0f} MB in the first half, "
        f"{outcome.second_half_mb:.0f} MB in the second ({growth:+.0f} MB): "
        f"{'flat' if outcome.memory_flat else 'GROWING'}"
    )
    say(f"{'gunicorn log':<24} {'clean' if not outcome.log_troubles else outcome.log_troubles[0]}")
    problems = outcome.problems()
    say(f"soak: {'PASS' if not problems else 'FAIL: ' + '; '.join(problems)}")


if __name__ == "__main__":
    sys.exit(main())
