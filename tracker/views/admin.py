"""Admins' pages: accounts and the recommendations' wording."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from tracker.accounts import deactivate_user, set_role
from tracker.auth import require_role_throughout
from tracker.authority_types import type_name
from tracker.db import get_session
from tracker.forms import EmptyForm, RecommendationForm, ResponsibilityForm, RoleForm
from tracker.models import Applicability, Role
from tracker.queries.campaign import users
from tracker.queries.pledges import recommendations
from tracker.responsibilities import (
    ResponsibilityConflict,
    edit_responsibility,
    responsibility_table,
)
from tracker.views.lookups import get_recommendation, get_responsibility, get_user
from tracker.wording import WordingConflict, reword_recommendation

bp = Blueprint("admin", __name__, url_prefix="/campaign/admin")


require_role_throughout(bp, Role.ADMIN)


@bp.get("/users")
def accounts() -> str:
    """List every account with its role and whether it can sign in."""
    return render_template(
        "admin/users.html", users=users(get_session()), role_form=RoleForm(), form=EmptyForm()
    )


@bp.post("/users/<int:user_id>/role")
def change_role(user_id: int) -> Response:
    """Change an account's role; it is signed out so the change applies at once."""
    session = get_session()
    user = get_user(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400, description="Choose admin or campaigner.")
    set_role(user, Role(form.role.data))
    session.commit()
    flash(f"{user.email} is now {form.role.data}.", "success")
    return redirect(url_for(".accounts"), 303)


@bp.post("/users/<int:user_id>/deactivate")
def deactivate(user_id: int) -> Response:
    """Stop an account signing in; its past changes stay attributed to it."""
    session = get_session()
    user = get_user(user_id)
    deactivate_user(session, user)
    session.commit()
    flash(f"{user.email} can no longer sign in.", "success")
    return redirect(url_for(".accounts"), 303)


@bp.route("/recommendations/<slug>", methods=["GET", "POST"])
def reword(slug: str) -> Response | tuple[str, int] | str:
    """Correct a recommendation's title, summary or full text."""
    session = get_session()
    recommendation = get_recommendation(slug)
    form = RecommendationForm(obj=recommendation)
    if not form.validate_on_submit():
        return render_template(
            "admin/reword.html", recommendation=recommendation, form=form
        ), 422 if form.errors else 200
    try:
        reword_recommendation(
            session,
            recommendation,
            title=form.title.data,
            summary=form.summary.data,
            body=form.body.data,
            expected_version=form.version.data,
        )
    except WordingConflict:
        session.rollback()
        form.version.data = recommendation.version
        return render_template(
            "admin/reword.html", recommendation=recommendation, form=form, conflict=True
        ), 409
    session.commit()
    flash(f"Saved the wording of “{form.title.data}”.", "success")
    return redirect(url_for("recommendations.detail", slug=slug), 303)


@bp.get("/responsibilities")
def responsibilities() -> str:
    """Show the responsibility table, each cell editable."""
    session = get_session()
    return render_template(
        "admin/responsibilities.html",
        table=responsibility_table(session),
        recommendations=recommendations(session),
        form=ResponsibilityForm(),
    )


@bp.post("/responsibilities/<int:cell_id>")
def responsibility(cell_id: int) -> Response:
    """Change one cell of the responsibility table (refused if someone else just did)."""
    session = get_session()
    cell = get_responsibility(cell_id)
    form = ResponsibilityForm()
    if not form.validate_on_submit():
        abort(400, description="Choose yes, no or only with PCC powers, and give a reason.")
    try:
        edit_responsibility(
            session,
            cell,
            applies=Applicability(form.applies.data),
            reason=form.reason.data,
            expected_version=form.version.data,
        )
    except ResponsibilityConflict:
        session.rollback()
        abort(409, description="Another admin changed this cell just now; reload and try again.")
    session.commit()
    flash(f"Saved: {type_name(cell.kind)}, recommendation {cell.recommendation_id}.", "success")
    return redirect(url_for(".responsibilities"), 303)
