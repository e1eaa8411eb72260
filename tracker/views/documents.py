"""The documents the scraper has read: a page each, a full-text search, a CSV and JSON.

The page, its CSV and its API read their filters through one parser,
`tracker.views.arguments.document_filters`.
Only what a campaigner accepted is shown from the review side; pending and rejected
proposals never leave the campaign pages.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker import exports
from tracker.db import get_session
from tracker.queries.authorities import filter_choices
from tracker.queries.common import Page
from tracker.queries.documents import (
    DocumentFilters,
    DocumentHit,
    document_detail,
    find_documents,
)
from tracker.serialise import JSON, document_json
from tracker.text import document_slug
from tracker.views.arguments import document_filters
from tracker.views.downloads import csv_attachment
from tracker.views.lookups import found
from tracker.views.render import page_number, render_page_or_partial

bp = Blueprint("documents", __name__)
PER_PAGE = 25
MAX_DOWNLOAD = 10_000


@bp.get("/documents/")
def index() -> Response:
    """List read documents newest first, or search their text (live with htmx)."""
    filters = document_filters(get_session(), request.args)
    return render_page_or_partial(
        "documents/index.html",
        "documents/_results.html",
        page=documents_page(filters, page_number()),
        filters=filters,
        choices=filter_choices(get_session()),
    )


@bp.get("/documents/<int:document_id>-<slug>")
@bp.get("/documents/<int:document_id>", defaults={"slug": None})
def detail(document_id: int, slug: str | None) -> Response | str:
    """Show one document: what it is, its versions, and the commitments found in it."""
    shown = found(document_detail(get_session(), document_id), "document", document_id)
    canonical = document_slug(shown.document.title, shown.authority.short_name)
    if slug != canonical:
        return redirect(url_for(".detail", document_id=document_id, slug=canonical), 301)
    return render_template("documents/detail.html", found=shown)


@bp.get("/documents.csv")
def download() -> Response:
    """Download the document list, or a search's documents, as CSV."""
    filters = document_filters(get_session(), request.args)
    hits = documents_page(filters, 1, per_page=MAX_DOWNLOAD).items
    rows = [exports.document_row(h.document, h.authority, document_url(h)) for h in hits]
    return csv_attachment("documents.csv", exports.DOCUMENT_COLUMNS, rows)


def documents_page(
    filters: DocumentFilters, number: int, per_page: int = PER_PAGE
) -> Page[DocumentHit]:
    """Return one page of documents (PageNotFound past the last one, a 404)."""
    return find_documents(get_session(), filters, page=number, per_page=per_page)


def document_url(hit: DocumentHit) -> str:
    """Return the absolute address of a listed document's page."""
    slug = document_slug(hit.document.title, hit.authority.short_name)
    return url_for("documents.detail", document_id=hit.document.id, slug=slug, _external=True)


def hit_json(hit: DocumentHit) -> JSON:
    """Describe a listed document for the API, with its snippets when searched."""
    return {
        **document_json(hit.document, hit.authority, document_url(hit)),
        "snippets": [{"page": s.page, "html": str(s.html)} for s in hit.snippets],
    }
