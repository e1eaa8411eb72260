"""Public pages, feeds and open data under load, each against a trivial route of the same app.

The site runs under gunicorn with sync workers, as in production, on the national-scale
dataset (`bench.make_dataset`). wrk loads each URL in turn: a warm-up run whose figures
are thrown away, then a measured one. `/healthz` (a constant answer that touches neither
the database nor the session) is measured just before each URL, with the server idle in
between, and each URL's figures are given as ratios to that adjacent baseline, so load
from anything else on the machine skews both sides alike. Targets: a page or feed
answers at least half as many requests a second as `/healthz` with a p99 latency at most
ten times its; a 304 feed answer reaches 0.8 of its throughput.

Last, a correctness check: a campaigner's edit through the write API must show on the
candidate's page and in the feeds on the very next request. Run: `python -m bench.pages`.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import click
from sqlalchemy import func
from sqlmodel import Session, col, select

from bench import load, make_dataset
from bench.fiction import invented
from bench.output import say
from bench.servers import gunicorn, wait_idle
from bench.writes import check_edits_show
from tracker.db import Database
from tracker.models import Authority, Ballot, Candidacy, Election, Party, Person, Recommendation

WORKERS = 4
PAGE_TARGET = 0.5
NOT_MODIFIED_TARGET = 0.8
P99_LIMIT = 10.0
BASELINE_S = 2
BASELINE_WARMUP_S = 1
MIN_ANSWERS = 2 * load.CONNECTIONS


@dataclass(frozen=True)
class Target:
    """One URL to load, and what it must achieve (None: figures only)."""

    name: str
    path: str
    min_ratio: float | None = PAGE_TARGET
    conditional: bool = False  # send back the ETag of a first GET, expecting 304


@dataclass(frozen=True)
class Subjects:
    """The rows the URLs name: a busy council, the biggest party, and so on."""

    recommendation: str
    authority: str
    party: str
    small_party: str
    person_path: str
    search: str


def main(argv: Sequence[str] | None = None) -> int:
    """Load every public URL against /healthz and print the table."""
    return _cli.main(args=list(argv) if argv is not None else None, standalone_mode=False) or 0


@click.command()
@click.option("--database-url", help="default: the SQLite dataset bench.make_dataset builds")
@click.option("--workers", default=WORKERS, show_default=True)
@click.option("--seconds", default=load.MEASURE_S, show_default=True)
def _cli(database_url: str | None, workers: int, seconds: int) -> int:
    """Load the site's public URLs and print throughput and latency against /healthz."""
    url = database_url or make_dataset.default_url()
    make_dataset.ensure(url)
    subjects = pick_subjects(url)
    targets = public_targets(subjects)
    load.describe_machine(url.split("@")[-1])
    say(
        f"gunicorn {workers} sync workers; wrk {load.THREADS} threads, {load.CONNECTIONS} "
        f"connections; per URL: /healthz {BASELINE_WARMUP_S} s warm-up + {BASELINE_S} s "
        f"measured, then the URL {load.WARMUP_S} s warm-up + {seconds} s measured "
        f"({3 * seconds} s if under {MIN_ANSWERS} answers)"
    )
    say(f"load average before: {_load_average()}")
    with gunicorn(url, workers=workers) as server:
        wait_idle(server)  # every worker has imported the app
        etags = _check_answers(server.base_url, targets)
        results = []
        reported = False
        for target in targets:
            settle = partial(wait_idle, server)
            settle()
            trivial = load.measure(
                f"{server.base_url}/healthz",
                seconds=BASELINE_S,
                warmup=BASELINE_WARMUP_S,
                settle=settle,
            )
            settle()
            found = load.measure(
                server.base_url + target.path,
                if_none_match=etags.get(target),
                seconds=seconds,
                settle=settle,
            )
            if found.requests < MIN_ANSWERS:
                # Too slow for a fair sample in the usual window: measure longer, once.
                settle()
                found = load.measure(
                    server.base_url + target.path,
                    if_none_match=etags.get(target),
                    seconds=seconds * 3,
                    warmup=0,
                )
            results.append((target, trivial, found))
            if (troubles := server.troubles()) and not reported:
                reported = True
                say(
                    f"after loading {target.path}, gunicorn's log shows trouble (rows from "
                    f"here on are affected): {troubles[-1][:200]} ({server.log_path})"
                )
        wait_idle(server)
        _table(results)
        say(f"load average after: {_load_average()}")
        say()
        ok = check_edits_show(server.base_url, url)
    return 0 if ok else 1


def _load_average() -> str:
    """Return the machine's 1, 5 and 15 minute load averages (others' work shows here)."""
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def pick_subjects(url: str) -> Subjects:
    """Choose what the URLs name: the busiest real council and the biggest party."""
    database = Database(url)
    with database.session() as session:
        first = select(Recommendation.slug).order_by(col(Recommendation.position))
        recommendation = session.exec(first).first() or ""
        authority = _busiest_authority(session)
        sizes = (
            select(Party.slug, func.count())
            .join(Candidacy, col(Candidacy.party_id) == Party.id)
            .group_by(col(Party.slug))
            .order_by(func.count().desc(), col(Party.slug))
        )
        parties = [slug for slug, _ in session.exec(sizes)]
        person = session.exec(select(Person).order_by(col(Person.id)).limit(1)).one()
    database.engine.dispose()
    return Subjects(
        recommendation=recommendation,
        authority=authority,
        party=parties[0],
        small_party=parties[len(parties) // 2],
        person_path=f"/candidates/{person.id}-{person.slug}",
        search="example",
    )


def _busiest_authority(session: Session) -> str:
    """Return the slug of the real authority with the most candidates."""
    stmt = (
        select(Authority.slug, func.count())
        .join(Election, col(Election.authority_id) == Authority.id)
        .join(Ballot, col(Ballot.election_id) == Election.id)
        .join(Candidacy, col(Candidacy.ballot_id) == Ballot.id)
        .where(~invented(Authority))
        .group_by(col(Authority.slug))
        .order_by(func.count().desc(), col(Authority.slug))
    )
    slug, _ = session.exec(stmt).first() or ("", 0)
    return slug


def public_targets(s: Subjects) -> list[Target]:
    """Return every public page type, the feeds (full and 304) and the open data URLs."""
    authority_feed = f"/feeds/authorities/{s.authority}.atom"
    return [
        Target("home", "/"),
        Target("recommendations", "/recommendations/"),
        Target("recommendation", f"/recommendations/{s.recommendation}"),
        Target("authorities ?nation&type", "/authorities/?nation=England&type=NMD"),
        Target("authority", f"/authorities/{s.authority}"),
        Target("candidates ?party", f"/candidates/?party={s.party}"),
        Target("candidates ?q", f"/candidates/?q={s.search}"),
        Target("candidate", s.person_path),
        Target("parties", "/parties/"),
        Target("party", f"/parties/{s.party}"),
        Target("feed: all updates", "/feeds/updates.atom"),
        Target("feed: all, 304", "/feeds/updates.atom", NOT_MODIFIED_TARGET, True),
        Target("feed: authority", authority_feed),
        Target("feed: authority, 304", authority_feed, NOT_MODIFIED_TARGET, True),
        Target("feed: party", f"/feeds/parties/{s.party}.rss"),
        Target("feed: party, 304", f"/feeds/parties/{s.party}.rss", NOT_MODIFIED_TARGET, True),
        Target("api: candidates ?party", f"/api/v1/candidates?party={s.party}"),
        Target("api: pledges ?authority", f"/api/v1/pledges?authority={s.authority}"),
        Target("api: events", "/api/v1/events"),
        Target("documents ?q (search)", "/documents/?q=%22multi-agency+partnership%22"),
        Target("documents", "/documents/"),
        Target("api: documents ?q", "/api/v1/documents?q=safe+accommodation"),
        Target("csv: pledges ?authority", f"/pledges.csv?authority={s.authority}", None),
        Target("csv: candidates ?party", f"/candidates.csv?party={s.small_party}", None),
    ]


def _check_answers(base_url: str, targets: list[Target]) -> dict[Target, str]:
    """GET every URL once: each must answer 200, and conditional ones 304 to their ETag."""
    etags: dict[Target, str] = {}
    for target in targets:
        status, headers, _ = load.fetch(base_url + target.path)
        if status != 200:
            raise SystemExit(f"{target.path} answered {status}, not 200")
        if target.conditional:
            etag = headers.get("ETag", "")
            again, _, body = load.fetch(base_url + target.path, {"If-None-Match": etag})
            if again != 304 or body:
                raise SystemExit(f"{target.path} answered {again} to its own ETag, not 304")
            etags[target] = etag
    return etags


def _table(results: list[tuple[Target, load.Load, load.Load]]) -> None:
    """Print each URL's figures and ratios to the trivial route measured just before it."""
    say(
        f"{'URL type':<26} {'n':>6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'/healthz':>9} "
        f"{'p99 ms':>7} {'x rps':>6} {'x p99':>7} {'target':>6}  verdict"
    )
    misses = 0
    for target, trivial, found in results:
        speed = load.ratio(found.rps, trivial.rps)
        slowness = load.ratio(found.p99_ms, trivial.p99_ms)
        verdict = "figures only"
        if target.min_ratio is not None:
            met = speed >= target.min_ratio and slowness <= P99_LIMIT
            misses += not met
            verdict = "meets" if met else "MISSES"
        if found.errors or trivial.errors:
            verdict += f" ({found.errors + trivial.errors} errors)"
        if not (found.requests and trivial.requests):
            verdict += " (NO ANSWERS: see the gunicorn log)"
        wanted = f"{target.min_ratio:.1f}" if target.min_ratio is not None else "-"
        say(
            f"{target.name:<26} {found.requests:6} {found.rps:8,.1f} {found.p50_ms:8.1f} "
            f"{found.p99_ms:8.1f} "
            f"{trivial.rps:9,.0f} {trivial.p99_ms:7.1f} {speed:6.3f} {slowness:7.1f} "
            f"{wanted:>6}  {verdict}"
        )
    judged = sum(t.min_ratio is not None for t, _, _ in results)
    say(
        f"{judged - misses} of {judged} URLs meet their targets "
        f"(x rps >= target and x p99 <= {P99_LIMIT:.0f}), {time.strftime('%Y-%m-%d %H:%M')}"
    )


if __name__ == "__main__":
    sys.exit(main())
