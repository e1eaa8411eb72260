"""Commands for the learned matcher: fit it on the corpus, and on this install's reviews."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from scrapers.extract.dispatch import extract
from scrapers.match.model import MODEL_VARIABLE, SHIPPED_PATH
from scrapers.match.training import (
    Settings,
    corpus_examples,
    fit,
    read_corpus,
    review_examples,
)
from tracker.config import ROOT
from tracker.db import get_session
from tracker.queries.review import reviewed_texts
from tracker.text import plural

CORPUS = ROOT / "tests" / "corpus"
INSTALL_MODEL = "matcher-model.json"


@click.group("matcher")
def matcher_group() -> None:
    """Fit the learned matcher that scores proposed passages."""


@matcher_group.command("train")
@click.option(
    "--corpus",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=CORPUS,
    show_default=True,
    help="A folder of documents with a labels.csv.",
)
@click.option("--from-reviews", is_flag=True, help="Add this install's accepts and rejects.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the model (default: the shipped model, or with --from-reviews "
    f"{INSTALL_MODEL} in the instance folder).",
)
@with_appcontext
def train_command(corpus: Path, from_reviews: bool, output: Path | None) -> None:
    """Fit the matcher's model on the labelled corpus (and reviews) and write it as JSON."""
    settings = Settings()
    documents, unread = read_corpus(corpus, extract)
    for name, reason in unread.items():
        click.echo(f"not read: {name}: {reason}", err=True)
    examples = [e for doc in documents for e in corpus_examples(doc, settings)]
    reviewed = 0
    if from_reviews:
        for item in reviewed_texts(get_session()):
            found = review_examples(item.text, item.verdicts, f"review:{item.document_id}")
            examples += found
            reviewed += len(found)
    about = {
        "corpus_documents": sorted(doc.name for doc in documents),
        "reviewed_verdicts": reviewed,
    }
    model = fit(examples, settings, about)
    if output is None:
        output = Path(current_app.instance_path) / INSTALL_MODEL if from_reviews else SHIPPED_PATH
    output.write_text(model.to_json() + "\n", encoding="utf-8")
    click.echo(
        f"Fitted on {plural(len(documents), 'document')} and "
        f"{plural(reviewed, 'reviewed passage')} ({plural(len(model.weights), 'weight')}): "
        f"wrote {output}."
    )
    if from_reviews:
        click.echo(f"Set {MODEL_VARIABLE}={output} for the scraper to use it.")


COMMANDS = (matcher_group,)
