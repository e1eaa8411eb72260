"""The campaign's pledge links: make, email and revoke them; approve statements; verify.

Every form posts and redirects back with a message, so everything works without
JavaScript. A new link is shown once, on the page that made it: only its hash is kept.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.answers import (
    AnswerError,
    approve_statement,
    reject_statement,
    revoke_and_roll_back,
    verify_answer,
    withdraw_answer,
)
from tracker.auth import current_account, require_role_throughout
from tracker.db import get_session
from tracker.invitations import (
    InvitationError,
    default_expiry,
    issue_link,
    record_unsubscribe,
)
from tracker.link_jobs import enqueue_election_links
from tracker.mail import Mailer, MailError, smtp_settings
from tracker.models import Election, PledgeInvitation, Role, SendOutcome, utcnow
from tracker.pledging import StaleEdit, Subject
from tracker.queries.authorities import authority_by_slug
from tracker.queries.candidates import election_by_id, person_by_id
from tracker.queries.invitations import (
    invitation_by_id,
    invitations,
    latest_election_of_authority,
    latest_election_of_person,
    link_answer_by_id,
    pending_statements,
    recent_link_answers,
)
from tracker.sending import MailConfig, resend_link
from tracker.text import plural
from tracker.views.answer import answer_url
from tracker.views.lookups import found

bp = Blueprint("invitations", __name__, url_prefix="/campaign/links")
require_role_throughout(bp, Role.CAMPAIGNER)
OUTCOME_WORDS = {
    SendOutcome.SENT: "Emailed",
    SendOutcome.REFUSED: "The mail server refused it",
    SendOutcome.NO_ADDRESS: "Not emailed: no published address",
    SendOutcome.UNSUBSCRIBED: "Not emailed: they unsubscribed",
}
NO_ELECTION = (
    "No election is known for them, so there is no default expiry: make the link with "
    "`tracker pledge-links --expires YYYY-MM-DD`."
)


@bp.get("/")
def index(new_link: str | None = None, status: int = 200) -> tuple[str, int]:
    """List pledge links, newest first, optionally for one election."""
    session = get_session()
    election = None
    if value := request.args.get("election"):
        election = found(election_by_id(session, value), "election", value)
    page = render_template(
        "invitations/index.html",
        rows=invitations(session, election=election),
        election=election,
        new_link=new_link,
        now=utcnow(),
        can_send=bool(current_app.config.get("SMTP_URL")),
        outcome_words=OUTCOME_WORDS,
    )
    return page, status


@bp.post("/new")
def create() -> tuple[str, int]:
    """Make one candidate's or authority's link and show it, once."""
    session = get_session()
    subject, election = _subject_from_form()
    if subject is None:
        flash("Give a candidate's person id or an authority's slug.", "error")
        return index(status=400)
    if election is None:
        flash(NO_ELECTION, "error")
        return index(status=422)
    try:
        issued = issue_link(
            session,
            subject,
            election=election,
            expires_at=default_expiry(election.poll_date),
            secret_key=current_app.config["SECRET_KEY"],
            created_by_id=current_account().id,
        )
    except InvitationError as error:
        flash(str(error), "error")
        return index(status=422)
    session.commit()
    return index(new_link=answer_url(issued.token))


def _subject_from_form() -> tuple[Subject | None, Election | None]:
    """Read the person id or authority slug, with the newest election they stood in or held."""
    session = get_session()
    person_id = request.form.get("person_id", "").strip()
    if person_id.isdigit() and len(person_id) < 12:
        person = person_by_id(session, int(person_id))
        if person is not None:
            return Subject(person_id=person.id), latest_election_of_person(session, person.id)
    slug = request.form.get("authority", "").strip().lower()[:120]
    authority = authority_by_slug(session, slug) if slug else None
    if authority is not None:
        return Subject(authority_id=authority.id), latest_election_of_authority(
            session, authority.id
        )
    return None, None


@bp.post("/<int:invitation_id>/send")
def send(invitation_id: int) -> Response:
    """Email one subject a new link (the one sent before, if any, stops working)."""
    session = get_session()
    invitation = _invitation(invitation_id)
    config = current_app.config
    try:
        mail = MailConfig.from_app(config)
        settings = smtp_settings(config.get("SMTP_URL"), ca_file=config.get("SMTP_CA_FILE"))
        with Mailer(settings, rate=float(config["SMTP_RATE"])) as mailer:
            outcome = resend_link(
                session,
                invitation,
                secret_key=config["SECRET_KEY"],
                link_url=answer_url,
                mailer=mailer,
                mail=mail,
            )
    except (MailError, InvitationError) as error:
        session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".index"), 303)
    session.commit()
    flash(f"{OUTCOME_WORDS[outcome]}.", "success" if outcome is SendOutcome.SENT else "error")
    return redirect(url_for(".index"), 303)


@bp.post("/send-election")
def send_election() -> Response:
    """Queue the emailing of every candidate's link in an election, for a worker to send."""
    session = get_session()
    value = request.form.get("election", "").strip()[:200]
    election = election_by_id(session, value) if value else None
    back = url_for(".index", election=election.election_id if election else None)
    if election is None:
        flash(f"There is no election called “{value}”.", "error")
        return redirect(url_for(".index"), 303)
    if default_expiry(election.poll_date) <= utcnow():
        flash(
            "Links for that election would already have expired: run `tracker pledge-links "
            f"--election {election.election_id} --send --expires YYYY-MM-DD`.",
            "error",
        )
        return redirect(back, 303)
    if not enqueue_election_links(election.election_id, request.host_url.rstrip("/")):
        flash(
            "There is no worker queue (REDIS_URL): run `tracker pledge-links --election "
            f"{election.election_id} --send`.",
            "error",
        )
        return redirect(back, 303)
    flash(
        f"Queued: a worker is emailing the candidates of {election.election_id}; each "
        "outcome shows here as it is sent.",
        "success",
    )
    return redirect(back, 303)


@bp.post("/<int:invitation_id>/unsubscribe")
def unsubscribe(invitation_id: int) -> Response:
    """Record that the subject asked for no more emails (they reached the unsubscribe address)."""
    session = get_session()
    record_unsubscribe(session, _invitation(invitation_id))
    session.commit()
    flash("Recorded: no more pledge-link emails or reminders will be sent to them.", "success")
    return redirect(url_for(".index"), 303)


@bp.post("/<int:invitation_id>/revoke")
def revoke(invitation_id: int) -> Response:
    """Stop a link working and roll back the answers it recorded, in one step."""
    session = get_session()
    invitation = _invitation(invitation_id)
    try:
        rolled, kept = revoke_and_roll_back(
            session,
            invitation,
            reason=request.form.get("reason", ""),
            reviewer_id=current_account().id,
        )
    except (InvitationError, StaleEdit) as error:
        session.rollback()
        flash(f"Nothing was changed: {error}", "error")
        return redirect(url_for(".index"), 303)
    session.commit()
    kept_words = f"; {kept} kept, as a campaigner has recorded them since" if kept else ""
    flash(f"Link revoked: {plural(rolled, 'answer')} rolled back{kept_words}.", "success")
    return redirect(url_for(".index"), 303)


def _invitation(invitation_id: int) -> PledgeInvitation:
    """Return the invitation or answer 404."""
    return found(invitation_by_id(get_session(), invitation_id), "pledge link", invitation_id)


@bp.get("/answers")
def answers() -> str:
    """List statements awaiting approval, and recent answers given through links."""
    session = get_session()
    return render_template(
        "invitations/answers.html",
        statements=pending_statements(session),
        recent=recent_link_answers(session),
    )


@bp.post("/answers/<int:answer_id>/<decision>")
def decide(answer_id: int, decision: str) -> Response:
    """Approve or reject a statement, or verify or withdraw an answer."""
    if decision not in DONE:
        abort(404)
    session = get_session()
    answer = found(link_answer_by_id(session, answer_id), "answer", answer_id)
    reviewer = current_account().id
    try:
        if decision == "approve":
            approve_statement(session, answer, reviewer_id=reviewer)
        elif decision == "reject":
            reject_statement(session, answer, reviewer_id=reviewer)
        elif decision == "verify":
            verify_answer(session, answer, reviewer_id=reviewer)
        else:
            withdraw_answer(
                session, answer, reason=request.form.get("reason", ""), reviewer_id=reviewer
            )
    except (AnswerError, StaleEdit) as error:
        session.rollback()
        flash(
            str(error) if isinstance(error, AnswerError) else "The pledge changed meanwhile.",
            "error",
        )
        return redirect(url_for(".answers"), 303)
    session.commit()
    flash(DONE[decision], "success")
    return redirect(url_for(".answers"), 303)


DONE = {
    "approve": "Statement approved: it is now shown beside the answer.",
    "reject": "Statement kept off the site; the answer itself stands.",
    "verify": "Answer marked verified; its history shows when.",
    "withdraw": "Answer withdrawn; its history shows why.",
}
