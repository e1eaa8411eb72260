"""`tracker sample` fills the review queue from real documents, and decides nothing."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlmodel import Session, col, func, select

from tests.conftest import AuthActions, soup
from tracker.models import Authority, Document, Pledge, Proposal, ReviewStatus
from tracker.sample_documents import SAMPLE_DOCUMENTS, load_sample_documents


def test_the_sample_queues_real_passages_for_review_and_accepts_none(
    client: FlaskClient, auth: AuthActions, db: Session
) -> None:
    (stored,) = load_sample_documents(db)
    db.commit()
    derbyshire = db.exec(select(Authority).where(Authority.gss_code == "E10000007")).one()
    assert stored.outcome == "new" and stored.document.authority_id == derbyshire.id
    assert stored.document.url == (
        "https://github.com/iascmap/iasctoolkit/blob/6c0aeb9b571868d8a1530ee7e14bf769d81edac8"
        "/download/derbyshire-cc-modern-slavery-statement-2018-to-2019.pdf"
    )
    assert stored.proposed
    assert {p.review_status for p in stored.proposed} == {ReviewStatus.PENDING.value}
    assert db.exec(select(Pledge).where(Pledge.authority_id == derbyshire.id)).first() is None
    auth.login_as()
    items = soup(client.get("/campaign/review/")).select("article.review-item")
    assert len(items) == len(stored.proposed)
    assert "Derbyshire County Council" in items[0].text


def test_the_sample_documents_load_once(db: Session) -> None:
    first = load_sample_documents(db)
    again = load_sample_documents(db)
    assert [s.outcome for s in again] == ["unchanged"] * len(SAMPLE_DOCUMENTS)
    assert db.exec(select(func.count()).select_from(Document)).one() == len(SAMPLE_DOCUMENTS)
    pending = select(func.count()).where(col(Proposal.review_status) == ReviewStatus.PENDING.value)
    assert db.exec(pending).one() == sum(len(s.proposed) for s in first)
