"""Signing in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from tracker.accounts import authenticate, end_sessions
from tracker.auth import Account, role_required, signed_in
from tracker.db import get_session
from tracker.forms import LoginForm
from tracker.models import Role, User

bp = Blueprint("auth", __name__)


# Failed sign-ins are counted, and throttled before the password is checked, by
# tracker.auth (see tracker.login_throttle): a 401 here is what counts as a failure.
@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | str:
    """Sign in; a new session starts, and `next` may only lead back into this site."""
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        status = 400 if form.errors and request.method == "POST" else 200
        return render_template("auth/login.html", form=form), status
    user = authenticate(get_session(), form.email.data, form.password.data)
    if user is None:
        form.password.errors.append("That email address and password do not match an account.")
        return render_template("auth/login.html", form=form), 401
    get_session().commit()
    session.clear()
    login_user(Account.from_user(user))
    session.permanent = True
    flash(f"Signed in as {user.email}.", "success")
    return redirect(safe_next(form.next.data) or url_for("campaign.dashboard"), 303)


@bp.post("/logout")
@role_required(Role.CAMPAIGNER)
def logout() -> Response:
    """Sign out here and everywhere else this account is signed in."""
    account = signed_in()
    db = get_session()
    user = db.get(User, account.id) if account else None
    if user is not None:
        end_sessions(user)
        db.commit()
    logout_user()
    session.clear()
    flash("Signed out.", "success")
    return redirect(url_for("pages.home"), 303)


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return None
    return target
