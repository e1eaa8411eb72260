"""The answer page: a candidate or authority answers for themselves through their link.

No account is needed: the link is the credential. So the page says whom the link is for,
answers are rate-limited per link and per address, and the page is never cached, indexed
or sent on as a Referer (the token is in its address).
"""

from __future__ import annotations

import math
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response

from tracker.answers import MAX_STATEMENT, Reply, record_replies
from tracker.auth import THROTTLE
from tracker.db import get_session
from tracker.invitations import LinkGone, LinkNotFound, invitation_for_token, subject_of
from tracker.login_throttle import parse_limit, spend
from tracker.models import PledgeInvitation, PledgeStatus, utcnow
from tracker.pledging import StaleEdit
from tracker.queries.invitations import addressee
from tracker.queries.pledges import pledges_of_subject, recommendations, themes
from tracker.text import is_storable, plural

bp = Blueprint("answer", __name__, url_prefix="/answer")

CHOICES = {
    "pledged": "I pledge to do this",
    "partial": "I pledge to do this in part",
    "declined": "I am not able to pledge this",
}
GONE = {
    "expired": "This pledge link has expired, so it can no longer record an answer.",
    "revoked": "This pledge link was withdrawn by the campaign, so it no longer works.",
    "replaced": "A newer pledge link has been sent in place of this one, so this one no "
    "longer works.",
}
NOT_FOUND = (
    "This is not a working pledge link: it may have been copied incompletely. Open the "
    "link from the email again, or copy all of it, including the end."
)


def _answer_wait(token: str) -> float:
    """Count this post against its link and its address; return how long to wait (0: go on).

    Per link, so one forwarded link cannot flood the record; per address, so one client
    cannot work through many links. The limits are read per request so tests can lower them.
    """
    store = current_app.extensions[THROTTLE]
    for key, setting in (
        (f"answer-link:{token[:60]}", "ANSWER_LIMIT_LINK"),
        (f"answer-address:{request.remote_addr}", "ANSWER_LIMIT_ADDRESS"),
    ):
        wait = spend(store, key, parse_limit(str(current_app.config[setting])))
        if wait:
            return wait
    return 0.0


@bp.after_request
def _private(response: Response) -> Response:
    """Keep the link out of caches, search engines and other sites' logs."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/<token>", methods=["GET", "POST"])
def page(token: str) -> Response | tuple[str, int] | str:
    """Show the five recommendations to answer; a post records the answers chosen."""
    if request.method == "POST" and (wait := _answer_wait(token)):
        raise TooManyRequests(
            "Too many answers have been sent through this link or from this address. "
            "Please wait a while, then try again.",
            retry_after=math.ceil(wait),
        )
    invitation = _invitation_or_abort(token)
    if request.method == "GET":
        return _render(invitation, {}, 200)
    replies, errors = _read_replies(invitation)
    if errors:
        return _render(invitation, errors, 400)
    session = get_session()
    try:
        recorded = record_replies(session, invitation, replies, now=utcnow())
    except StaleEdit:
        session.rollback()
        errors = {0: "Your answers changed in another window since this page was opened."}
        return _render(invitation, errors, 409)
    session.commit()
    flash(_thanks(len(recorded)), "success")
    return redirect(url_for(".page", token=token), 303)


def _invitation_or_abort(token: str) -> PledgeInvitation:
    """Return the link's invitation, or answer 404 (not a link) or 410 (no longer works)."""
    try:
        return invitation_for_token(
            get_session(), token, secret_key=current_app.config["SECRET_KEY"]
        )
    except LinkNotFound:
        abort(404, description=NOT_FOUND)
    except LinkGone as gone:
        contact = current_app.config.get("CAMPAIGN_EMAIL")
        ask = (
            f" Write to {contact} for a new one." if contact else " Ask the campaign for a new one."
        )
        abort(410, description=GONE[gone.reason] + ask)


def _read_replies(invitation: PledgeInvitation) -> tuple[list[Reply], dict[int, str]]:
    """Read the chosen answers and statements; each bad one is explained beside its field."""
    replies, errors = [], {}
    for rec in recommendations(get_session()):
        rec_id = rec.id
        choice = request.form.get(f"answer-{rec_id}", "")
        statement = " ".join(request.form.get(f"statement-{rec_id}", "").split()) or None
        if choice not in CHOICES:
            if choice or statement:
                errors[rec_id] = "Choose one of the three answers to go with your statement."
            continue
        if statement and (len(statement) > MAX_STATEMENT or not is_storable(statement)):
            errors[rec_id] = f"Keep the statement under {MAX_STATEMENT:,} characters of text."
            continue
        version = request.form.get(f"version-{rec_id}", "0")
        replies.append(
            Reply(
                recommendation_id=rec_id,
                status=PledgeStatus(choice),
                statement=statement,
                expected_version=int(version) if version.isdigit() else -1,
            )
        )
    if not replies and not errors:
        errors[0] = "Choose an answer for at least one recommendation."
    return replies, errors


def _subject_args(invitation: PledgeInvitation) -> dict[str, int | None]:
    """Return the invitation's subject as `pledges_of_subject` takes it."""
    subject = subject_of(invitation)
    return {"person_id": subject.person_id, "authority_id": subject.authority_id}


def _render(invitation: PledgeInvitation, errors: dict[int, str], status: int) -> tuple[str, int]:
    """Render the page with the subject's current answers (and any errors)."""
    session = get_session()
    pledges = pledges_of_subject(session, **_subject_args(invitation))
    context: dict[str, Any] = {
        "invitation": invitation,
        "who": addressee(session, invitation),
        "themes": themes(session),
        "pledges": pledges,
        "choices": CHOICES,
        "errors": errors,
        "form": request.form if status != 200 else {},
        # After a refused form the versions it was loaded at still stand; after a conflict
        # the page shows what is saved now, so resubmitting saves over it knowingly.
        "keep_versions": status == 400,
        "max_statement": MAX_STATEMENT,
        "campaign_email": current_app.config.get("CAMPAIGN_EMAIL"),
    }
    return render_template("answer/page.html", **context), status


def _thanks(count: int) -> str:
    """Return the message after a post: what was recorded, and that it can be changed."""
    if not count:
        return "Nothing changed: your answers were already recorded."
    return (
        f"Thank you: {plural(count, 'answer')} recorded and shown on the tracker. You can "
        "change them here until the link expires."
    )


def answer_url(token: str, *, site: str | None = None) -> str:
    """Return a link's full address: on `site`, this request's host, or else SITE_URL."""
    if site is None and has_request_context():
        return url_for("answer.page", token=token, _external=True)
    site = (site or current_app.config.get("SITE_URL") or "").rstrip("/")
    if not site:
        raise RuntimeError("Set SITE_URL (https://tracker.example.org) to make pledge links.")
    return f"{site}{bp.url_prefix}/{token}"
