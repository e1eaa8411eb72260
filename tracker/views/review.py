"""The review queue: campaigners accept or reject the passages the scraper proposes."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

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
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from tracker.auth import current_account, editor_named, require_role_throughout
from tracker.db import get_session
from tracker.extensions import htmx
from tracker.forms import AcceptForm, RejectForm, SourceForm
from tracker.models import Authority, PledgeStatus, Proposal, ReviewStatus, Role
from tracker.pipeline.background import read_soon
from tracker.pipeline.run import add_source
from tracker.pledging import StaleEdit
from tracker.queries.authorities import authority_names
from tracker.queries.pledges import recommendations
from tracker.queries.review import queue_item, review_queue, verdict_given
from tracker.review import AlreadyReviewed, accept_match, reject_match
from tracker.text import long_date
from tracker.views.arguments import (
    Args,
    BadArgument,
    authority_called,
    named_authority,
    named_recommendation,
)
from tracker.views.auth import safe_next
from tracker.views.lookups import found, get_proposal
from tracker.views.pledges import htmx_message
from tracker.views.render import page_number

# What a verdict's form may name as the place to go next: a passage, or the empty queue.
NEXT_ITEM = re.compile(r"match-[0-9]{1,12}|review-empty")

bp = Blueprint("review", __name__, url_prefix="/campaign/review")


require_role_throughout(bp, Role.CAMPAIGNER)


@bp.get("/")
def queue() -> tuple[str, int] | str:
    """List passages awaiting a verdict, best first, filterable by authority and recommendation.

    An authority name that means several authorities, or none, is answered on this page,
    with the name still in the field and the ones it might mean, rather than on an error page.
    """
    session = get_session()
    try:
        authority = named_authority(session, request.args)
    except BadArgument as problem:
        here, status = request.full_path, problem.status
        return _queue_page(None, request.args, here, authority_problem=problem.message), status
    source = SourceForm(authority=authority.name if authority else None)
    return _queue_page(authority, request.args, request.full_path, source=source)


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
        return _decided(match_id, _reviewed_meanwhile(match_id), 409)
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
        return _decided(match_id, _reviewed_meanwhile(match_id), 409)
    session.commit()
    return _decided(match_id, "Rejected: it will not be proposed again.")


@bp.post("/sources")
def submit() -> Response | tuple[str, int]:
    """Save a document or page for an authority and have it read as soon as possible.

    A refused form is shown again with everything as typed, the address included.
    """
    session = get_session()
    form = SourceForm()
    authority = _submitted_authority(form)
    if authority is None:
        return _refused(form)
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
        form.url.errors.append(f"That address cannot be read: {error}.")
        return _refused(form)
    session.commit()
    response = redirect(safe_next(request.form.get("back")) or url_for(".queue"), 303)
    is_soon = source is not None and read_soon(source.id, response)
    flash(_submitted_message(form.url.data, authority.name, is_soon=is_soon), "success")
    return response


def _refused(form: SourceForm) -> tuple[str, int]:
    """Show a refused submission again on the queue it came from, filtered as it was."""
    back = safe_next(request.form.get("back"))
    args = _queue_filters(back)
    here = back if back and args else url_for(".queue")
    try:
        authority = named_authority(get_session(), args)
    except BadArgument as problem:
        return _queue_page(None, args, here, source=form, authority_problem=problem.message), 422
    return _queue_page(authority, args, here, source=form), 422


def _queue_filters(back: str | None) -> Args:
    """Return the filters and page of the queue page `back` names; none for another page."""
    target = urlsplit(back or "")
    return MultiDict(parse_qsl(target.query) if target.path == url_for(".queue") else [])


def _queue_page(
    authority: Authority | None,
    args: Args,
    here: str,
    *,
    source: SourceForm | None = None,
    authority_problem: str | None = None,
) -> str:
    """Draw the queue as `args` filter it, at the address `here`: the filters, one page of
    passages (unless the filter was refused) and the form for submitting a document."""
    session = get_session()
    recommendation = named_recommendation(session, args)
    page = None
    if authority_problem is None:
        page = review_queue(
            session,
            authority=authority,
            recommendation=recommendation,
            page=page_number(args),
            per_page=20,
        )
    return render_template(
        "review/queue.html",
        here=here,
        back=safe_next(request.form.get("back")) or here,
        page=page,
        authority=authority,
        authority_typed=args.get("authority", ""),
        authority_problem=authority_problem,
        authority_names=authority_names(session),
        recommendation=recommendation,
        recommendations=recommendations(session),
        accept=AcceptForm(),
        reject=RejectForm(),
        source=source or SourceForm(),
    )


def _submitted_authority(form: SourceForm) -> Authority | None:
    """Return the authority a valid submission names, noting on the form why not."""
    if not form.validate():
        return None
    try:
        return authority_called(get_session(), form.authority.data.strip())
    except BadArgument as problem:
        form.authority.errors.append(problem.message)
        return None


def _submitted_message(url: str, authority: str, *, is_soon: bool) -> str:
    """Say in plain words what happens next to a document just submitted."""
    then = (
        "It is being read now; in a few minutes, passages that may commit to a"
        " recommendation will appear in the review queue."
        if is_soon
        else "It will be read the next time the scraper runs; passages that may commit to a"
        " recommendation will then appear in the review queue."
    )
    return f"Saved {url} for {authority}. {then}"


def _reviewed_meanwhile(match_id: int) -> str:
    """Say whose verdict came first, as what and when, so a late reviewer need not reload.

    Who is named by the rule of `Account.sees_editors`. A passage still pending was not
    decided: its pledge changed while it was being accepted, and nothing was saved.
    """
    session = get_session()
    match = session.get_one(Proposal, match_id)
    if match.review_status == ReviewStatus.PENDING.value or match.reviewed_at is None:
        return (
            "Its pledge changed while you were accepting it, so nothing was saved."
            " Reload the queue to try again."
        )
    given = verdict_given(session, match)
    if match.review_status == ReviewStatus.ACCEPTED.value:
        verdict = f"accepted it as {given.status.label.lower()}" if given.status else "accepted it"
    else:
        verdict = f"rejected it (“{match.reason}”)" if match.reason else "rejected it"
    when = f"{match.reviewed_at:%H:%M} UTC on {long_date(match.reviewed_at)}"
    return f"Already reviewed: {editor_named(given.reviewer)} {verdict} at {when}."


def _decided(match_id: int, message: str, status: int = 200) -> Response | tuple[str, int] | str:
    """Answer a verdict: the item's new state for htmx, or back to the queue with a flash."""
    if not htmx:
        flash(message, "success" if status == 200 else "error")
        back = (safe_next(request.form.get("back")) or url_for(".queue")).split("#", 1)[0]
        return redirect(back + _next_anchor(), 303)
    item = found(queue_item(get_session(), match_id), "passage", match_id)
    response = make_response(
        render_template("review/_decided.html", item=item, message=message), status
    )
    response.headers["HX-Trigger"] = htmx_message(message)
    return response


def _next_anchor() -> str:
    """Return the fragment of the item to look at next (as the form named it), or none."""
    then = request.form.get("then", "")
    return f"#{then}" if NEXT_ITEM.fullmatch(then) else ""
