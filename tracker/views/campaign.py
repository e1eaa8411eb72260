"""The campaigners' side: the dashboard, spreadsheet uploads and API tokens."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.accounts import AccountError, create_token, revoke_token
from tracker.asks import Ask, ask, campaign_email
from tracker.auth import current_account, require_role_throughout
from tracker.db import get_session
from tracker.exports import Column
from tracker.forms import ApplyUploadForm, EmptyForm, TokenForm, UploadForm
from tracker.imports.pledges import COLUMNS, apply_upload, plan_upload, read_upload
from tracker.imports.rows import ImportRejected
from tracker.models import Authority, PledgeUpload, Recommendation, Role, User, utcnow
from tracker.queries.campaign import (
    Awaited,
    awaiting_candidates,
    backlog_by_authority,
    outstanding_follow_ups,
    team_activity,
    tokens_of,
)
from tracker.queries.documents import withdrawn_commitments
from tracker.queries.pledges import recommendations, tallies
from tracker.views.arguments import named_authority
from tracker.views.downloads import csv_attachment
from tracker.views.lookups import get_upload

bp = Blueprint("campaign", __name__, url_prefix="/campaign")
MAX_UPLOAD = 2 * 1024 * 1024


require_role_throughout(bp, Role.CAMPAIGNER)


@bp.get("/")
def dashboard() -> str:
    """Show what is still to be answered and what the team changed lately."""
    session = get_session()
    return render_template(
        "campaign/dashboard.html",
        tallies=tallies(session),
        backlog=backlog_by_authority(session),
        activity=team_activity(session),
        withdrawn=withdrawn_commitments(session),
    )


@bp.route("/uploads", methods=["GET", "POST"])
def upload() -> Response | tuple[str, int] | str:
    """Take a CSV of pledge updates and keep it for a preview; nothing changes yet."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_page(form), 422 if form.errors else 200
    raw = form.file.data.read(MAX_UPLOAD + 1)
    error = _unreadable(raw)
    if error:
        form.file.errors.append(error)
        return _upload_page(form), 422
    stored = PledgeUpload(
        user_id=current_account().id,
        filename=(form.file.data.filename or "upload.csv")[:255],
        content=raw.decode("utf-8-sig"),
    )
    session = get_session()
    session.add(stored)
    session.commit()
    return redirect(url_for(".preview", upload_id=stored.id), 303)


@bp.get("/uploads/<int:upload_id>")
def preview(upload_id: int) -> str:
    """Show what each row of an upload would change, and each row's problem."""
    session = get_session()
    stored = get_upload(upload_id)
    plan = plan_upload(session, stored.content, today=utcnow().date())
    form = ApplyUploadForm(plan=plan.fingerprint)
    return render_template("campaign/preview.html", upload=stored, plan=plan, form=form)


@bp.post("/uploads/<int:upload_id>/apply")
def apply(upload_id: int) -> Response | tuple[str, int]:
    """Apply a previewed upload in one transaction, or explain why not."""
    session = get_session()
    stored = get_upload(upload_id)
    form = ApplyUploadForm()
    if stored.applied_at is not None or not form.validate_on_submit():
        abort(409, description="This upload was already applied, or its form has expired.")
    try:
        report = apply_upload(
            session,
            stored.content,
            expected=form.plan.data,
            actor_id=current_account().id,
            today=utcnow().date(),
            skip_bad=form.skip_bad.data,
        )
    except ImportRejected as rejected:
        session.rollback()
        plan = plan_upload(session, stored.content, today=utcnow().date())
        return render_template(
            "campaign/preview.html",
            upload=stored,
            plan=plan,
            form=ApplyUploadForm(plan=plan.fingerprint),
            rejected=rejected.errors,
        ), 409
    stored.applied_at = utcnow()
    session.commit()
    flash(f"Applied {stored.filename}: {report.summary()}.", "success")
    if report.rejected:
        flash(f"Skipped, as the preview listed: {report.rejected_lines()}.", "warning")
    return redirect(url_for(".dashboard"), 303)


@bp.get("/uploads/template.csv")
def upload_template() -> Response:
    """Download an empty spreadsheet with the upload's columns, ready to fill in."""
    return csv_attachment("pledges-template.csv", UPLOAD_COLUMNS, [])


@bp.get("/follow-ups")
def follow_ups() -> str:
    """List pledges that reached a milestone with no delivery evidence, to chase them."""
    return render_template("campaign/follow_ups.html", rows=outstanding_follow_ups(get_session()))


@bp.get("/asks")
def asks() -> str:
    """List candidates yet to answer in an area, each with an ask ready to send."""
    session = get_session()
    area = _area()
    rows = awaiting_candidates(session, authority=area, limit=500)
    recs = recommendations(session)
    ready = [(row, _ask(row, recs)) for row in rows]
    return render_template("campaign/asks.html", area=area, rows=ready)


@bp.get("/asks.csv")
def asks_csv() -> Response:
    """Download the same list for a mail merge: one row per candidate, with the ask."""
    session = get_session()
    recs = recommendations(session)
    rows = (
        {**_merge_row(row), "subject": ask_.subject, "body": ask_.body}
        for row in awaiting_candidates(session, authority=_area())
        for ask_ in [_ask(row, recs)]
    )
    return csv_attachment("asks.csv", MERGE_COLUMNS, rows)


@bp.route("/tokens", methods=["GET", "POST"])
def tokens() -> tuple[str, int] | str:
    """List the account's API tokens; a new token's secret is shown once, here."""
    session = get_session()
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        user = session.get_one(User, current_account().id)
        _, secret = create_token(session, user, form.name.data)
        session.commit()
        form = TokenForm(formdata=None)
    status = 422 if form.errors else 200
    return render_template(
        "campaign/tokens.html",
        form=form,
        secret=secret,
        tokens=tokens_of(session, current_account().id),
        revoke=EmptyForm(),
    ), status


@bp.post("/tokens/<int:token_id>/revoke")
def revoke(token_id: int) -> Response:
    """Revoke one of the account's tokens; requests using it fail from now on."""
    session = get_session()
    try:
        token = revoke_token(session, session.get_one(User, current_account().id), token_id)
    except AccountError:
        abort(404)
    session.commit()
    flash(f"Revoked the token “{token.name}”.", "success")
    return redirect(url_for(".tokens"), 303)


UPLOAD_COLUMNS = [Column(name, "") for name in COLUMNS]


def _upload_page(form: UploadForm) -> str:
    """Render the upload form with the column guide."""
    return render_template(
        "campaign/upload.html", form=form, recommendations=recommendations(get_session())
    )


def _unreadable(raw: bytes) -> str | None:
    """Return why an uploaded file cannot be read as a CSV, or None if it can."""
    if len(raw) > MAX_UPLOAD:
        return f"Files are limited to {MAX_UPLOAD // (1024 * 1024)} MB."
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "Save the spreadsheet as CSV (UTF-8) and upload that."
    if b"\x00" in raw:
        return "This looks like a binary file; save the spreadsheet as CSV (UTF-8)."
    _, problem = read_upload(raw.decode("utf-8-sig"))
    return f"This file cannot be used: {problem}." if problem else None


MERGE_COLUMNS = [
    Column("name", "The candidate's name."),
    Column("email", "Their contact address, where Democracy Club publishes one."),
    Column("party", "The party they stood for most recently."),
    Column("authority", "The authority they stood for."),
    Column("ward", "The ward or area."),
    Column("election_date", "The date of that election."),
    Column("page", "Their page on this site."),
    Column("subject", "The subject line of the ask."),
    Column("body", "The text of the ask."),
]


def _area() -> Authority | None:
    """Read the `authority` filter, answering 404 for one the data lacks."""
    return named_authority(get_session(), request.args)


def _ask(row: Awaited, recs: list[Recommendation]) -> Ask:
    """Write the ask to one waiting candidate."""
    page = url_for(
        "candidates.detail", person_id=row.person.id, slug=row.person.slug, _external=True
    )
    return ask(row.person.name, recs, page, to=row.person.email, campaign=campaign_email())


def _merge_row(row: Awaited) -> dict[str, object]:
    """Return the candidate's columns of the mail-merge file."""
    standing = row.standing
    return {
        "name": row.person.name,
        "email": row.person.email,
        "party": standing.party_name if standing else None,
        "authority": standing.authority_name if standing else None,
        "ward": standing.post_label if standing else None,
        "election_date": standing.poll_date if standing else None,
        "page": url_for(
            "candidates.detail", person_id=row.person.id, slug=row.person.slug, _external=True
        ),
    }
