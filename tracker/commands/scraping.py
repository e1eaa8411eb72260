"""Commands for the scraper: run a scrape, match one local file, serve the queue."""

from __future__ import annotations

import json
import mimetypes
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from redis import Redis
from rq import Worker
from sqlmodel import Session, col, or_, select

from scrapers.extract.dispatch import extract_isolated
from scrapers.match.proposals import Proposal
from scrapers.match.scoring import match_document
from scrapers.passages import ExtractedDocument, ExtractionError
from tracker.commands.common import explained_failures
from tracker.db import write_intent
from tracker.link_jobs import MAIL_QUEUE
from tracker.models import Authority
from tracker.pipeline.queue import QUEUE
from tracker.pipeline.run import (
    Scrape,
    Summary,
    Target,
    add_source,
    open_scrape,
    pending_targets,
    seed_sources,
)
from tracker.text import plural

OUTCOMES = ("new", "changed", "unchanged", "not-modified", "needs-ocr", "refused", "failed")


@click.command("scrape")
@with_appcontext
@click.option(
    "--authority",
    "codes",
    multiple=True,
    metavar="CODE",
    help="An authority's mySociety or GSS code (repeatable).",
)
@click.option("--url", "urls", multiple=True, help="A document to fetch (needs one --authority).")
@click.option("--pending", is_flag=True, help="Fetch the URLs campaigners submitted.")
@click.option("--all", "everything", is_flag=True, help="Every authority with known sources.")
@click.option("--max-pages", default=50, show_default=True, help="Discovery budget per site.")
def scrape_command(
    codes: tuple[str, ...],
    urls: tuple[str, ...],
    pending: bool,
    everything: bool,
    max_pages: int,
) -> None:
    """Fetch council documents, propose passages that commit to the recommendations."""
    if not (codes or urls or pending or everything):
        raise click.UsageError("Say what to scrape: --authority, --url, --pending or --all.")
    if urls and len(codes) != 1:
        raise click.UsageError("--url needs exactly one --authority: the body it belongs to.")
    # Short transactions only: the setup commits before anything is fetched, and the
    # scrape stores each document in a write transaction of its own.
    with explained_failures() as session:
        with write_intent():
            seed_sources(session)
            authorities = _authorities(session, codes, everything)
            targets = pending_targets(session) if pending else []
            targets += [_submitted(session, authorities[0], url) for url in urls]
            session.commit()
        with open_scrape(session, current_app.config) as scrape:
            if authorities and not urls:
                many = plural(len(authorities), "authority", "authorities")
                click.echo(f"Discovering documents for {many}…")
                targets += scrape.discover(authorities, max_pages=max_pages)
            summary = _run_with_progress(scrape, targets)
    _print_summary(summary)
    if summary.failed:
        raise click.ClickException(f"{len(summary.problems)} document(s) failed; see above.")


@click.command("match")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the matches as a JSON list.")
def match_command(path: Path, as_json: bool) -> None:
    """Extract a local file (PDF, Word, ODT, RTF, HTML, text, a scan) and print its matches."""
    try:
        content_type, _ = mimetypes.guess_type(path.name)
        # Sandboxed like a fetched document: a local file is no more trusted than a remote one.
        document = extract_isolated(path.read_bytes(), content_type)
        matches = match_document(document)
    except ExtractionError as error:
        raise click.ClickException(f"Could not read {path}: {error}") from error
    if as_json:
        click.echo(
            json.dumps([_match_json(m, document) for m in matches], indent=2, ensure_ascii=False)
        )
        return
    if not matches:
        click.echo("No passages matched.")
    for match in matches:
        where = f"page {match.page}, " if match.page else ""
        click.echo(f"{match.score:.2f}  {match.recommendation}  ({where}{match.rule})")
        click.echo(f"      {' '.join(match.text.split())[:300]}")


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """Serve the scrape and mail queues (needs REDIS_URL); run several for more throughput."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException(
            "Set REDIS_URL to use workers, or run `tracker scrape --pending`."
        )
    Worker([QUEUE, MAIL_QUEUE], connection=Redis.from_url(url)).work(burst=burst)


def _match_json(match: Proposal, document: ExtractedDocument) -> dict[str, Any]:
    """Describe one match for `tracker match --json`, with the document it was found in."""
    keys = ("recommendation", "score", "text", "page", "start", "end", "rule")
    fields = asdict(match)
    return {
        **{k: fields[k] for k in keys},
        "document_title": document.title,
        "document_date": document.date.isoformat() if document.date else None,
        "ocr": any(
            p.ocr and p.start < match.end and match.start < p.end for p in document.passages
        ),
    }


def _authorities(session: Session, codes: tuple[str, ...], everything: bool) -> list[Authority]:
    """Resolve mySociety codes, GSS codes or slugs; every authority with sources for --all."""
    if everything:
        stmt = select(Authority).where(col(Authority.website).is_not(None))
        return list(session.exec(stmt))
    found = []
    for code in codes:
        stmt = select(Authority).where(
            or_(
                col(Authority.code) == code.upper(),
                col(Authority.gss_code) == code.upper(),
                col(Authority.slug) == code.lower(),
            )
        )
        authority = session.exec(stmt).first()
        if authority is None:
            raise click.BadParameter(
                f"no authority has the code {code!r}", param_hint="--authority"
            )
        found.append(authority)
    return found


def _submitted(session: Session, authority: Authority, url: str) -> Target:
    """Remember a URL given on the command line and return it as a target."""
    try:
        add_source(session, authority.id, url, origin="submitted")
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--url") from error
    return Target(authority.id, url)


def _run_with_progress(scrape: Scrape, targets: list[Target]) -> Summary:
    """Run the scrape with a progress bar counting fetched, skipped and failed documents."""
    with click.progressbar(
        length=len(targets),
        label="Documents",
        show_eta=True,
        show_pos=True,
        item_show_func=lambda s: s,
    ) as bar:

        def advance(summary: Summary) -> None:
            fetched = summary.outcomes["new"] + summary.outcomes["changed"]
            skipped = summary.outcomes["unchanged"] + summary.outcomes["not-modified"]
            failed = summary.outcomes["failed"] + summary.outcomes["refused"]
            bar.update(1, f"{fetched} fetched, {skipped} skipped, {failed} failed")

        return scrape.run(targets, advance)


def _print_summary(summary: Summary) -> None:
    """Print the closing table, and each failure with its reason."""
    click.echo("")
    width = max(len(o) for o in OUTCOMES)
    for outcome in OUTCOMES:
        click.echo(f"  {outcome:<{width}}  {summary.outcomes[outcome]:>6}")
    click.echo(f"  {'proposed':<{width}}  {summary.proposed:>6}  passages for review")
    click.echo(f"  {'withdrawn':<{width}}  {summary.withdrawn:>6}  passages no longer found")
    for url, reason in summary.problems:
        click.echo(f"  ! {url}: {reason}", err=True)


COMMANDS = (scrape_command, match_command, worker_command)
