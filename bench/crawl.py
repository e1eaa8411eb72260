"""A full scrape of many hosts against the politeness bound, and its memory as it grows.

This runs the real scrape, `tracker.pipeline.run.Scrape.run` as `tracker scrape` uses it:
a pool of SCRAPER_WORKERS fetch threads sharing one `scrapers.fetch.fetcher.Fetcher` (robots.txt,
one request a second per host), extraction in a pool of `scrapers.extract.pool` helper
processes, one per core (each a sandbox, reused), matching, and `tracker.pipeline.store`
writing each document in its own transaction to a fresh SQLite database. The only
stand-ins are the network: a local server (`bench.crawl_server`) answers for 200 host
names, each response 50 ms late, serving the corpus's real council documents in turn; and
the resolver, which sends those names to it (each name is allow-listed for the loopback
address, as SCRAPER_ALLOW_HOSTS would).

The politeness bound is the time the busiest host needs: with `d` documents on a host and
its robots.txt first, `d` intervals of a second, plus one response's latency. Target: a
full crawl within 1.5x of that bound, and the crawler's peak memory flat in the number of
documents. Each crawl runs in a fresh process so its peak RSS is its own.
Run: `python -m bench.crawl`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from bench.crawl_server import corpus_files
from bench.load import describe_machine
from bench.output import say
from bench.servers import ROOT, crawl_server
from scrapers.extract.dispatch import extract_isolated
from scrapers.extract.pool import ExtractorPool
from scrapers.fetch.fetcher import Fetcher
from scrapers.match.scoring import match_document
from tracker import migrate
from tracker.db import Database
from tracker.imports.authorities import import_authorities
from tracker.models import Authority
from tracker.pipeline.run import Scrape, Target

TARGET = 1.5
LATENCY = 0.05
INTERVAL = 1.0
WORKERS = 16  # tracker.config's SCRAPER_WORKERS default
CORES = os.cpu_count() or 1
EXTRACTORS = CORES  # and its SCRAPER_EXTRACTORS
TIMEOUT_S = 180


@dataclass(frozen=True)
class Crawl:
    """One crawl to run: how many documents over how many hosts, and of what kind."""

    documents: int
    hosts: int
    content: str  # "corpus": real council documents; "pages": tiny fictional web pages
    workers: int = WORKERS

    @property
    def per_host(self) -> int:
        """Return the most documents any one host serves."""
        return math.ceil(self.documents / self.hosts)

    @property
    def bound(self) -> float:
        """Return the politeness bound in seconds: the busiest host's requests, spaced."""
        return self.per_host * INTERVAL + LATENCY


# Each crawl lists every host's documents together, as discovery does; the run's
# scheduler (scrapers.fetch.schedule) decides the order. Tiny pages time the fetching alone;
# real documents add the CPU that extracting and matching them takes.
CRAWLS = (
    Crawl(2_000, 200, "pages"),
    Crawl(2_000, 200, "corpus"),
    Crawl(500, 200, "corpus"),
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run each crawl against a local server and print the table (or run one, --run)."""
    parser = argparse.ArgumentParser(description="crawl benchmark")
    parser.add_argument("--run", nargs=5, metavar=("DOCS", "HOSTS", "CONTENT", "WORKERS", "PORT"))
    args = parser.parse_args(argv)
    if args.run:
        docs, hosts, content, workers, port = args.run
        result = run_crawl(Crawl(int(docs), int(hosts), content, int(workers)), int(port))
        sys.stdout.write(json.dumps(result) + "\n")
        return 0
    return _benchmark()


def _benchmark() -> int:
    """Start the server, run every crawl in its own process, and print the figures."""
    describe_machine()
    say(
        f"tracker.pipeline.run.Scrape.run (the `tracker scrape` pipeline): {WORKERS} fetch "
        f"threads, {EXTRACTORS} extractor helpers, SQLite store; {INTERVAL:.0f} request/s per "
        f"host, {LATENCY * 1e3:.0f} ms per response"
    )
    floor = _extraction_seconds()
    with crawl_server(LATENCY) as server:
        port = int(server.base_url.rsplit(":", 1)[1])
        results = [(crawl, _in_process(crawl, port)) for crawl in CRAWLS]
    say(
        f"{'docs':>5} {'hosts':>5} {'content':<8} {'bound s':>7} {'wall s':>7} {'x bound':>7} "
        f"{'CPU s':>6} "
        f"{'serial extract s':>16} {'stored':>6} {'failed':>6} {'proposed':>8} "
        f"{'peak RSS MB':>11}  verdict"
    )
    for crawl, result in results:
        _row(crawl, result, floor)
    rss = {c.documents: r["rss_mb"] for c, r in results if c.content == "corpus" and "rss_mb" in r}
    if len(rss) == 2:
        small, large = min(rss), max(rss)
        growth = rss[large] - rss[small]
        flat = "flat" if growth < 0.1 * rss[small] else "GROWS"
        say(
            f"memory: {rss[small]:.0f} MB for {small} documents, {rss[large]:.0f} MB for "
            f"{large}: {growth:+.0f} MB ({flat} in the number of documents)"
        )
    say(
        "CPU s: the crawler's CPU time, its extraction helpers included (not the "
        f"local server's); over {CORES} cores, the least wall time this machine allows, "
        "whatever the politeness bound. serial extract s: the same documents through "
        "extract_isolated + match_document one at a time"
    )
    return 0


def _row(crawl: Crawl, result: dict[str, Any], floor: dict[int, float]) -> None:
    """Print one crawl's figures, and whether the CPU or the politeness bound limits it."""
    serial = sum(floor[n % len(floor)] for n in range(crawl.documents))
    shown = f"{serial:16.1f}" if crawl.content == "corpus" else f"{'-':>16}"
    if "error" in result:
        say(
            f"{crawl.documents:>5} {crawl.hosts:>5} {crawl.content:<8} {crawl.bound:7.1f} "
            f"{'>' + str(TIMEOUT_S):>7} {'-':>7} {'-':>6} {shown}  {result['error']}"
        )
        return
    ratio = result["wall"] / crawl.bound
    outcomes = result["outcomes"]
    verdict = "meets" if ratio <= TARGET else "MISSES"
    cpu_floor = result["cpu"] / CORES
    if ratio > TARGET and cpu_floor > TARGET * crawl.bound:
        verdict += f" (CPU-bound: {result['cpu']:.0f} CPU s on {CORES} cores)"
    say(
        f"{crawl.documents:>5} {crawl.hosts:>5} {crawl.content:<8} {crawl.bound:7.1f} "
        f"{result['wall']:7.1f} {ratio:7.2f} {result['cpu']:6.1f} {shown} "
        f"{outcomes.get('new', 0):>6} {outcomes.get('failed', 0):>6} {result['proposed']:>8} "
        f"{result['rss_mb']:11.0f}  {verdict}"
    )


def _extraction_seconds() -> dict[int, float]:
    """Time extract + match of each corpus file once, in the order the server serves them."""
    seconds = {}
    for index, path in enumerate(corpus_files()):
        body = path.read_bytes()
        started = time.perf_counter()
        match_document(extract_isolated(body))
        seconds[index] = time.perf_counter() - started
    return seconds


def _in_process(crawl: Crawl, port: int) -> dict[str, Any]:
    """Run one crawl in a fresh interpreter and return what it reports."""
    argv = [sys.executable, "-m", "bench.crawl", "--run"]
    argv += [str(crawl.documents), str(crawl.hosts), crawl.content, str(crawl.workers), str(port)]
    try:
        done = subprocess.run(  # noqa: S603 - our own module
            argv, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_S, check=True
        )
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {TIMEOUT_S} s"}
    except subprocess.CalledProcessError as failed:
        return {"error": f"crashed: {failed.stderr.strip().splitlines()[-1:]}"}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_crawl(crawl: Crawl, port: int) -> dict[str, Any]:
    """Scrape `crawl.documents` URLs spread over `crawl.hosts` names; return the figures."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'crawl.db'}"
        migrate.upgrade(url)
        database = Database(url)
        with database.session() as session:
            import_authorities(session)
            session.commit()
            authority_ids = list(session.exec(select(Authority.id).order_by(col(Authority.id))))
        hosts = [f"council-{n:03d}.bench.invalid" for n in range(crawl.hosts)]
        path = "documents" if crawl.content == "corpus" else "pages"
        by_host = sorted(range(crawl.documents), key=lambda n: (n % crawl.hosts, n))
        targets = [
            Target(
                authority_ids[(n % crawl.hosts) % len(authority_ids)] or 0,
                f"http://{hosts[n % crawl.hosts]}:{port}/{path}/{n}",
            )
            for n in by_host
        ]
        fetcher = Fetcher(
            min_interval=INTERVAL,
            allow_hosts=[f"{host}:{port}" for host in hosts],
            resolver=lambda _host: ["127.0.0.1"],
        )
        helpers = ExtractorPool(EXTRACTORS, match=match_document)
        cpu_before = _cpu_seconds()
        with fetcher, helpers as extractor, database.session() as session:
            scrape = Scrape(session, fetcher, extractor, workers=crawl.workers)
            started = time.perf_counter()
            summary = scrape.run(targets)
            wall = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu_before  # the helpers have exited: their time counts now
        database.engine.dispose()
    return {
        "wall": wall,
        "cpu": cpu,
        "outcomes": dict(summary.outcomes),
        "proposed": summary.proposed,
        "problems": summary.problems[:3],
        "rss_mb": _peak_rss_mb(),
    }


def _peak_rss_mb() -> float:
    """Return this process's peak resident memory since it started, in MB.

    Not getrusage's ru_maxrss: Linux carries that across exec from the parent, so a crawl
    started by a big `python -m bench` would report the parent's peak, not its own.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_seconds() -> float:
    """Return the CPU this process and its finished helpers (and their forks) have used."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    helpers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + helpers.ru_utime + helpers.ru_stime


if __name__ == "__main__":
    sys.exit(main())
