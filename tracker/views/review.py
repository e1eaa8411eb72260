"""The review queue: campaigners accept or reject the passages the scraper proposes."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from tracker.auth import current_account, require_role_throughout
from tracker.db import get_session
from tracker.extensions import htmx
from tracker.forms import AcceptForm, RejectForm, SourceForm
from tracker.models import PledgeStatus, Role
from tracker.pipeline.queue import enqueue_source
from tracker.pipeline.run import add_source
from tracker.pledging import StaleEdit
from tracker.queries.authorities import authority_by_key
from tracker.queries.pledges import recommendations
from tracker.queries.review import queue_item, review_queue
from tracker.review import AlreadyReviewed, accept_match, reject_match
from tracker.views.arguments import named_authority, named_recommendation
from tracker.views.auth import safe_next
from tracker.views.lookups import found, get_proposal
from tracker.views.pledges import htmx_message
from tracker.views.render import page_number

bp = Blueprint("review", __name__, url_prefix="/campaign/review")


require_role_throughout(bp, Role.CAMPAIGNER)


@bp.get("/")
def queue() -> str:
    """List passages awaiting a verdict, best first, filterable by authority and recommendation."""
    session = get_session()
    authority = named_authority(session, request.args)
    recommendation = named_recommendation(session, request.args)
    page = review_queue(
        session,
        authority=authority,
        recommendation=recommendation,
        page=page_number(),
        per_page=20,
    )
    return render_template(
        "review/queue.html",
        page=page,
        authority=authority,
        recommendation=recommendation,
        recommendations=recommendations(session),
        accept=AcceptForm(),
        reject=RejectForm(),
        source=SourceForm(authority=authority.slug if authority else None),
    )


@bp.post("/<int:match_id>/accept")
def accept(match_id: int) -> Response | tuple[str, int] | str:
    """Record the passage as the authority's pledge (pledged or partly pledged)."""
    session = get_session()
    match = get_proposal(match_id)
    form = AcceptForm()
    if not form.validate():
        abort(400, description="Choose pledged or partly pledged.")
    try:
        accept_match(
            session, match, status=PledgeStatus(form.status.data), reviewer_id=current_account().id
        )
    except (AlreadyReviewed, StaleEdit):
        session.rollback()
        return _decided(match_id, "Someone else has just reviewed this passage or its pledge.", 409)
    session.commit()
    return _decided(match_id, "Accepted: it is now on the authority’s page and in the feeds.")


@bp.post("/<int:match_id>/reject")
def reject(match_id: int) -> Response | tuple[str, int] | str:
    """Hide the passage for good, keeping the reason."""
    session = get_session()
    match = get_proposal(match_id)
    form = RejectForm()
    if not form.validate():
        abort(400, description="Keep the reason under 500 characters.")
    try:
        reject_match(
            session, match, reason=form.reason.data or "", reviewer_id=current_account().id
        )
    except AlreadyReviewed:
        session.rollback()
        return _decided(match_id, "Someone else has just reviewed this passage.", 409)
    session.commit()
    return _decided(match_id, "Rejected: it will not be proposed again.")


@bp.post("/sources")
def submit() -> Response:
    """Queue a document or page for the scraper to read for an authority."""
    session = get_session()
    form = SourceForm()
    back = safe_next(request.form.get("back")) or url_for(".queue")
    authority = authority_by_key(session, form.authority.data or "") if form.validate() else None
    if authority is None:
        problems = " ".join(message for messages in form.errors.values() for message in messages)
        flash(
            problems or "Give an authority's slug or GSS code and the document's address.", "error"
        )
        return redirect(back, 303)
    try:
        source = add_source(
            session,
            authority.id,
            form.url.data,
            origin="submitted",
            pending=True,
            added_by_id=current_account().id,
        )
    except ValueError as error:
        flash(f"That address cannot be scraped: {error}.", "error")
        return redirect(back, 303)
    session.commit()
    queued = source is not None and enqueue_source(source.id)
    flash(
        f"Saved {form.url.data} for {authority.name}. It is being read now; passages that"
        " may commit to a recommendation will appear in the review queue."
        if queued
        else f"Saved {form.url.data} for {authority.name}. It will be read the next time the"
        " scraper runs; passages that may commit to a recommendation will then appear in the"
        " review queue.",
        "success",
    )
    return redirect(back, 303)


def _decided(match_id: int, message: str, status: int = 200) -> Response | tuple[str, int] | str:
    """Answer a verdict: the item's new state for htmx, or back to the queue with a flash."""
    if not htmx:
        flash(message, "success" if status == 200 else "error")
        return redirect(safe_next(request.form.get("back")) or url_for(".queue"), 303)
    item = found(queue_item(get_session(), match_id), "passage", match_id)
    response = make_response(
        render_template("review/_decided.html", item=item, message=message), status
    )
    response.headers["HX-Trigger"] = htmx_message(message)
    return response
