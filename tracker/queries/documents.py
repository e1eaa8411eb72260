"""The documents the scraper has read, as the public sees them: listed, searched, compared.

Search runs in the database on both backends, behind `find_documents`: SQLite's FTS5 (porter
stemming, bm25 ranking, `snippet()`) on the embedded default and PostgreSQL's full-text
search (`websearch_to_tsquery`, `ts_rank`, `ts_headline`) in production. Both take the same
queries: words (all must appear), "quoted phrases", `OR` between terms and `-word` to leave
one out. Only passages a campaigner accepted are ever shown from the review side: pending and
rejected proposals stay in the campaign pages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVarTuple

from markupsafe import Markup, escape
from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    TextClause,
    TextualSelect,
    bindparam,
    column,
    func,
    text,
)
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tracker.models import (
    Authority,
    Document,
    DocumentPage,
    DocumentVersion,
    Pledge,
    PledgeEvent,
    Proposal,
    Recommendation,
    ReviewStatus,
)
from tracker.queries.common import Page, PageNotFound

SNIPPETS_PER_DOCUMENT = 3
MAX_QUERY = 200  # characters; a longer query is cut, not refused
FIRST_YEAR, LAST_YEAR = 1990, 2100  # the years a filter takes: any dated document, no typo
# Marks the database puts around matched words; never in extracted text (control characters
# are cleaned out of passages), so the snippet can be escaped whole and the marks restored.
MARK_START, MARK_END = "\x02", "\x03"
_TERM = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_Ts = TypeVarTuple("_Ts")


@dataclass(frozen=True)
class DocumentFilters:
    """What the document list can be narrowed by; every field is optional."""

    q: str = ""
    authority: Authority | None = None
    kind: str | None = None
    region: str | None = None
    year: int | None = None  # the year the document is dated (published_on)


@dataclass(frozen=True)
class Snippet:
    """A few words of one page around the words searched for, marked up safely."""

    page: int | None
    html: Markup


@dataclass(frozen=True)
class DocumentHit:
    """One document in a list or a search result."""

    document: Document
    authority: Authority
    snippets: Sequence[Snippet] = ()


@dataclass(frozen=True)
class Commitment:
    """A passage a campaigner accepted, with the pledge it is the evidence for."""

    proposal: Proposal
    recommendation: Recommendation
    pledge: Pledge | None


@dataclass(frozen=True)
class DocumentDetail:
    """Everything the public page of one document shows."""

    document: Document
    authority: Authority
    versions: Sequence[DocumentVersion]
    commitments: Sequence[Commitment]  # accepted and still in the newest version
    withdrawn: Sequence[Commitment]  # accepted once, gone from a later version


def find_documents(
    session: Session, filters: DocumentFilters, *, page: int, per_page: int
) -> Page[DocumentHit]:
    """Return one page of read documents: best match first when searching, else newest."""
    if not filters.q.strip():
        return _newest(session, filters, page=page, per_page=per_page)
    if session.get_bind().dialect.name == "postgresql":
        return _search_postgres(session, filters, page=page, per_page=per_page)
    return _search_sqlite(session, filters, page=page, per_page=per_page)


def document_detail(session: Session, document_id: int) -> DocumentDetail | None:
    """Return a read document with its versions and accepted passages, or None."""
    row = session.exec(
        select(Document, Authority)
        .join(Authority, col(Authority.id) == Document.authority_id)
        .where(Document.id == document_id, col(Document.version) > 0)
    ).first()
    if row is None:
        return None
    document, authority = row
    versions = session.exec(
        select(DocumentVersion)
        .where(DocumentVersion.document_id == document_id)
        .order_by(col(DocumentVersion.number).desc())
    ).all()
    accepted = session.exec(
        select(Proposal, Recommendation, Pledge)
        .join(Recommendation, col(Recommendation.id) == Proposal.recommendation_id)
        .outerjoin(Pledge, col(Pledge.id) == pledge_of())
        .where(
            Proposal.document_id == document_id,
            Proposal.review_status == ReviewStatus.ACCEPTED.value,
        )
        .order_by(col(Recommendation.position), col(Proposal.page), col(Proposal.start))
    ).all()
    commitments = [Commitment(p, r, pl) for p, r, pl in accepted]
    return DocumentDetail(
        document,
        authority,
        versions,
        [c for c in commitments if c.proposal.withdrawn_in is None],
        [c for c in commitments if c.proposal.withdrawn_in is not None],
    )


@dataclass(frozen=True)
class Withdrawal:
    """An accepted commitment that a newer version of its document no longer contains."""

    commitment: Commitment
    document: Document
    authority: Authority


def withdrawn_commitments(session: Session, *, limit: int = 50) -> list[Withdrawal]:
    """Return accepted passages gone from their document's newest version, newest first.

    Each is the evidence of a pledge that a campaigner should look at again: the body may
    have dropped the commitment, or only reworded it.
    """
    rows = session.execute(
        sa_select(Proposal, Recommendation, Pledge, Document, Authority)
        .join(Recommendation, col(Recommendation.id) == Proposal.recommendation_id)
        .join(Document, col(Document.id) == Proposal.document_id)
        .join(Authority, col(Authority.id) == Document.authority_id)
        .outerjoin(Pledge, col(Pledge.id) == pledge_of())
        .where(*withdrawn_commitment())
        .order_by(col(Document.last_seen).desc(), col(Proposal.id))
        .limit(limit)
    ).all()
    return [Withdrawal(Commitment(p, r, pl), d, a) for p, r, pl, d, a in rows]


def websearch_to_fts5(query: str) -> str:
    """Translate a web-style query into FTS5 syntax that can never be a syntax error.

    Every word and phrase is quoted, so FTS5 operators and punctuation typed by a reader
    are searched for as text; only `OR` and a leading `-` keep a meaning, as they do for
    PostgreSQL's `websearch_to_tsquery`.
    """
    wanted: list[str] = []
    unwanted: list[str] = []
    pending_or = False
    for found in _TERM.finditer(query[:MAX_QUERY]):
        negated, phrase, word = found.group(1), found.group(2), found.group(3)
        if word == "OR" and wanted:
            pending_or = True
            continue
        if word is not None:
            negated, phrase = ("-", word[1:]) if word.startswith("-") else ("", word)
        term = " ".join(re.findall(r"\w+", phrase or ""))
        if not term:
            continue
        quoted = f'"{term}"'
        if negated:
            unwanted.append(quoted)
        elif pending_or:
            wanted[-1] = f"({wanted[-1]} OR {quoted})"
        else:
            wanted.append(quoted)
        pending_or = False
    if not wanted:
        return ""
    return " ".join(wanted) + "".join(f" NOT {term}" for term in unwanted)


def marked(snippet: str) -> Markup:
    """Escape a snippet the database marked, then turn its marks into <mark> elements."""
    html = str(escape(snippet))
    return Markup(html.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S704  # nosec B704


def _newest(
    session: Session, filters: DocumentFilters, *, page: int, per_page: int
) -> Page[DocumentHit]:
    """List read documents, newest first."""
    total = session.execute(
        sa_select(func.count()).select_from(
            _filtered(sa_select(col(Document.id)), filters).subquery()
        )
    ).scalar_one()
    _check_page(page, per_page, total)
    rows = session.execute(
        _filtered(sa_select(Document, Authority), filters)
        .order_by(col(Document.last_seen).desc(), col(Document.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return Page([DocumentHit(d, a) for d, a in rows], page, per_page, total)


def _search_sqlite(
    session: Session, filters: DocumentFilters, *, page: int, per_page: int
) -> Page[DocumentHit]:
    """Search with FTS5: bm25 ranks pages (lower is better, so it is negated), snippet() marks."""
    query = websearch_to_fts5(filters.q)
    if not query:
        return Page([], page, per_page, 0)
    hits = text(
        "SELECT rowid AS page_id, -rank AS rank "
        "FROM documentpage_fts WHERE documentpage_fts MATCH :query"
    ).columns(column("page_id", Integer), column("rank", Float))
    snippets = text(
        "SELECT p.document_id, p.page, "
        "snippet(documentpage_fts, 0, :start, :end, '…', 24) AS fragment "
        "FROM documentpage_fts JOIN documentpage p ON p.id = documentpage_fts.rowid "
        "WHERE documentpage_fts MATCH :query AND p.document_id IN :ids "
        "ORDER BY bm25(documentpage_fts)"
    ).bindparams(bindparam("ids", expanding=True))
    params = {"query": query, "start": MARK_START, "end": MARK_END}
    return _ranked(session, filters, hits, snippets, params, page=page, per_page=per_page)


def _search_postgres(
    session: Session, filters: DocumentFilters, *, page: int, per_page: int
) -> Page[DocumentHit]:
    """Search with PostgreSQL: the GIN index finds pages, ts_rank orders, ts_headline marks."""
    # to_tsvector('english', p.text) is written exactly as the GIN index's expression.
    hits = text(
        "SELECT p.id AS page_id, ts_rank(to_tsvector('english', p.text), q) AS rank "
        "FROM documentpage p, websearch_to_tsquery('english', :query) AS q "
        "WHERE to_tsvector('english', p.text) @@ q"
    ).columns(column("page_id", Integer), column("rank", Float))
    snippets = text(
        "SELECT p.document_id, p.page, ts_headline('english', p.text, q, :options) AS fragment "
        "FROM documentpage p, websearch_to_tsquery('english', :query) AS q "
        "WHERE to_tsvector('english', p.text) @@ q AND p.document_id IN :ids "
        "ORDER BY ts_rank(to_tsvector('english', p.text), q) DESC"
    ).bindparams(bindparam("ids", expanding=True))
    options = (
        f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15, "
        "MaxFragments=1, FragmentDelimiter=' … '"
    )
    params = {"query": filters.q[:MAX_QUERY], "options": options}
    return _ranked(session, filters, hits, snippets, params, page=page, per_page=per_page)


def _ranked(
    session: Session,
    filters: DocumentFilters,
    hits: TextualSelect,
    snippets: TextClause,
    params: dict[str, Any],
    *,
    page: int,
    per_page: int,
) -> Page[DocumentHit]:
    """Rank documents by their best page, then read snippets for one page of them only.

    Three queries whatever the number of matches: the count, the page of documents, and
    their snippets (the costly highlighting runs only for the documents shown).
    """
    pages = hits.subquery("hits")
    best = func.max(pages.c.rank).label("best")
    ranked = (
        _filtered(sa_select(Document, Authority, best), filters)
        .join(DocumentPage, col(DocumentPage.document_id) == Document.id)
        .join(pages, pages.c.page_id == DocumentPage.id)
        .group_by(col(Document.id), col(Authority.id))
    )
    total = session.execute(
        sa_select(func.count()).select_from(ranked.with_only_columns(col(Document.id)).subquery()),
        params,
    ).scalar_one()
    _check_page(page, per_page, total)
    rows = session.execute(
        ranked.order_by(best.desc(), col(Document.id))
        .offset((page - 1) * per_page)
        .limit(per_page),
        params,
    ).all()
    if not rows:
        return Page([], page, per_page, total)
    found: dict[int, list[Snippet]] = {row[0].id: [] for row in rows}
    for document_id, page_number, fragment in session.execute(
        snippets, {**params, "ids": list(found)}
    ):
        if len(found[document_id]) < SNIPPETS_PER_DOCUMENT:
            found[document_id].append(Snippet(page_number, marked(fragment)))
    hits_ = [DocumentHit(d, a, found[d.id]) for d, a, _ in rows]
    return Page(hits_, page, per_page, total)


def _filtered(stmt: Select[*_Ts], filters: DocumentFilters) -> Select[*_Ts]:
    """Narrow a select over documents to those read (a version stored) that match the filters."""
    stmt = stmt.join(Authority, col(Authority.id) == Document.authority_id).where(
        col(Document.version) > 0
    )
    if filters.authority is not None:
        stmt = stmt.where(col(Document.authority_id) == filters.authority.id)
    if filters.kind is not None:
        stmt = stmt.where(col(Authority.kind) == filters.kind)
    if filters.region is not None:
        stmt = stmt.where(col(Authority.region) == filters.region)
    if filters.year is not None:
        # A range rather than a year function: the same on both databases, and dates
        # compare as dates.
        stmt = stmt.where(
            col(Document.published_on) >= date(filters.year, 1, 1),
            col(Document.published_on) < date(filters.year + 1, 1, 1),
        )
    return stmt


def withdrawn_commitment() -> tuple[ColumnElement[bool], ...]:
    """Return the conditions on Proposal of an accepted passage a newer version dropped.

    The one test of a withdrawal, shared by the dashboard and the authority's feed; the
    store sets `withdrawn_in` when it compares a new version's passages with the last.
    """
    return (
        col(Proposal.review_status) == ReviewStatus.ACCEPTED.value,
        col(Proposal.withdrawn_in).is_not(None),
    )


def pledge_of() -> ColumnElement[int]:
    """Return the id of the pledge an accepted proposal's evidence event belongs to."""
    return (
        sa_select(col(PledgeEvent.pledge_id))
        .where(col(PledgeEvent.id) == Proposal.pledge_event_id)
        .scalar_subquery()
    )


def _check_page(page: int, per_page: int, total: int) -> None:
    """Raise PageNotFound for a page past the last one (the first page always exists)."""
    if page > 1 and (page - 1) * per_page >= total:
        raise PageNotFound(page)
