"""Our filtered candidate list against Datasette serving the same rows from the same file.

The page is `/candidates/?party=<the biggest party>`: 50 candidates by name, each with their
authority, ward, party and answer to each of the five recommendations. Datasette (its
defaults, `--immutable`, which is its faster mode for published files) runs one SQL query
returning exactly those 50 rows and columns from the same SQLite file, rendered as its HTML
table; the JSON rows are compared with our API's page of the same candidates. wrk loads
each in turn in the same run, and our throughput is given as a multiple of Datasette's.
Target: at least 10x for the page under the production configuration (4 sync workers);
the 1-worker figures are shown too, since Datasette serves from a single process.
Run: `python -m bench.peer`.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import urllib.parse
from collections.abc import Sequence
from pathlib import Path

import click
from bs4 import BeautifulSoup

from bench import load, make_dataset
from bench.output import say
from bench.pages import pick_subjects
from bench.servers import datasette, gunicorn, wait_idle

TARGET = 10.0
WORKERS = 4
# The candidate list's rows as one query: the same 50 people in the same order, with the
# columns the page prints (its count line and filter menus have no equivalent here). The
# JSON side orders by id, as our API's cursor does.
SQL = """
with page as (
  select p.id, p.name from person p
  where p.id in (
    select person_id from candidacy where party_id = (select id from party where slug = :party)
  )
  order by {inner} limit 50
)
select page.id, page.name, a.short_name as authority, b.post_label as ward, pa.name as party,
  max(case when r.position = 1 then pl.status end) as r1,
  max(case when r.position = 2 then pl.status end) as r2,
  max(case when r.position = 3 then pl.status end) as r3,
  max(case when r.position = 4 then pl.status end) as r4,
  max(case when r.position = 5 then pl.status end) as r5
from page
join candidacy c on c.person_id = page.id
join ballot b on b.id = c.ballot_id
join election e on e.id = b.election_id
join authority a on a.id = e.authority_id
join party pa on pa.id = c.party_id
left join pledge pl on pl.person_id = page.id
left join recommendation r on r.id = pl.recommendation_id
group by page.id, c.id
order by {outer}
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Load our candidate list and Datasette's equivalent and print their ratio."""
    return _cli.main(args=list(argv) if argv is not None else None, standalone_mode=False) or 0


@click.command()
@click.option("--database-url", help="a SQLite URL; default: the bench.make_dataset file")
@click.option("--seconds", default=load.MEASURE_S, show_default=True)
def _cli(database_url: str | None, seconds: int) -> int:
    """Compare our candidate list with Datasette's on the same SQLite file."""
    url = database_url or make_dataset.default_url()
    if not url.startswith("sqlite:///"):
        raise click.UsageError("Datasette reads SQLite files: give a sqlite:/// URL")
    make_dataset.ensure(url)
    path = Path(url.removeprefix("sqlite:///"))
    party = pick_subjects(url).party
    _checkpoint(path)  # --immutable reads the main file only, so fold the WAL into it
    ours_page = f"/candidates/?party={party}"
    ours_api = f"/api/v1/candidates?party={party}&limit=50"
    theirs_page = f"/{path.stem}?{_query(party, by_name=True)}"
    theirs_api = f"/{path.stem}.json?{_query(party, by_name=False)}&_shape=array"
    load.describe_machine(url)
    say(
        f"party: {party}; wrk {load.THREADS} threads, {load.CONNECTIONS} connections, "
        f"{load.WARMUP_S} s warm-up then {seconds} s measured"
    )
    rows: dict[str, tuple[load.Load, load.Load]] = {}
    with datasette(path) as server:
        first, last = _names(server.base_url + theirs_page.replace("?", ".json?", 1))
        rows["Datasette (1 process)"] = _measure(server.base_url, theirs_page, theirs_api, seconds)
    for workers in (WORKERS, 1):
        with gunicorn(url, workers=workers) as server:
            _same_rows(server.base_url + ours_page, first, last)
            name = f"ours, gunicorn {workers} worker{'s' if workers > 1 else ''}"
            rows[name] = _measure(server.base_url, ours_page, ours_api, seconds)
            wait_idle(server)
    _table(rows)
    return 0


def _measure(base_url: str, page: str, api: str, seconds: int) -> tuple[load.Load, load.Load]:
    """Load the HTML page, then the JSON rows."""
    for path in (page, api):
        status, _, _ = load.fetch(base_url + path)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
    html = load.measure(base_url + page, seconds=seconds)
    json_rows = load.measure(base_url + api, seconds=seconds)
    return html, json_rows


def _query(party: str, *, by_name: bool) -> str:
    """Return the query string that runs SQL in Datasette, by name (the page) or id (API)."""
    inner, outer = ("name, id", "page.name, page.id") if by_name else ("id", "page.id")
    sql = " ".join(SQL.format(inner=inner, outer=outer).split())
    return urllib.parse.urlencode({"sql": sql, "party": party})


def _names(url: str) -> tuple[str, str]:
    """Return the first and last names Datasette lists, checking it lists 50."""
    _, _, body = load.fetch(url + "&_shape=array")
    rows = json.loads(body)
    if len(rows) != 50:
        raise SystemExit(f"Datasette's query returned {len(rows)} rows, not 50: {body[:300]!r}")
    return rows[0]["name"], rows[-1]["name"]


def _same_rows(url: str, first: str, last: str) -> None:
    """Check our page starts and ends with the same candidates as Datasette's."""
    _, _, body = load.fetch(url)
    rows = BeautifulSoup(body, "html.parser").select("th[scope=row] a")
    names = [a.get_text(strip=True) for a in rows]
    if len(names) != 50 or names[0] != first or names[-1] != last:
        raise SystemExit(f"our page and Datasette list different candidates ({first}, {last})")


def _checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the database file."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _table(rows: dict[str, tuple[load.Load, load.Load]]) -> None:
    """Print each server's figures and our multiple of Datasette's throughput."""
    peer_page, peer_json = rows["Datasette (1 process)"]
    say(
        f"{'server':<28} {'page req/s':>10} {'p99 ms':>7} {'x peer':>7} "
        f"{'json req/s':>10} {'p99 ms':>7} {'x peer':>7}"
    )
    for name, (page, json_rows) in rows.items():
        say(
            f"{name:<28} {page.rps:10,.1f} {page.p99_ms:7.1f} "
            f"{load.ratio(page.rps, peer_page.rps):7.2f} {json_rows.rps:10,.1f} "
            f"{json_rows.p99_ms:7.1f} {load.ratio(json_rows.rps, peer_json.rps):7.2f}"
        )
    ours = rows[f"ours, gunicorn {WORKERS} workers"][0]
    multiple = load.ratio(ours.rps, peer_page.rps)
    verdict = "meets" if multiple >= TARGET else "misses"
    say(
        f"our page, {WORKERS} workers: {multiple:.2f}x Datasette "
        f"({verdict} the {TARGET:.0f}x target)"
    )


if __name__ == "__main__":
    sys.exit(main())
