"""Who is signed in, for how long, and what their role lets them do.

Sessions are Flask's signed cookies. Each names the account's `session_nonce`, so signing
out (which changes the nonce) ends every copy of the session, and each records when it
was last used, so one idle for 30 minutes stops working even if the browser kept it.
Failed sign-ins are slowed down by `tracker.login_throttle`; pages shown to a signed-in
account are never stored by a browser or proxy cache.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar, cast

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    render_template,
    request,
    session,
)
from flask_login import current_user, logout_user
from werkzeug.exceptions import TooManyRequests

from tracker.accounts import normalise_email
from tracker.db import get_session
from tracker.extensions import login_manager
from tracker.login_throttle import LoginThrottle, Policy, build_store
from tracker.models import Role, User

IDLE_LIMIT = timedelta(minutes=30)
THROTTLE = "tracker.login_throttle"
SIGN_IN = "auth.login"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Account:
    """The signed-in user as Flask-Login sees them (a detached copy of the row)."""

    id: int
    email: str
    role: Role
    nonce: str
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    @classmethod
    def from_user(cls, user: User) -> Account:
        """Copy what the request needs from the database row."""
        return cls(id=user.id, email=user.email, role=Role(user.role), nonce=user.session_nonce)

    def get_id(self) -> str:
        """Return the session identity: the account and its current nonce."""
        return f"{self.id}:{self.nonce}"

    def can(self, role: Role) -> bool:
        """Return whether this account's role covers `role`."""
        return self.role.allows(role)

    @property
    def sees_editors(self) -> bool:
        """Return whether this account may see who made a change, not only what changed.

        Only admins do: campaigners see their colleagues' work but not their addresses,
        on history pages, the dashboard and the conflict screen alike.
        """
        return self.can(Role.ADMIN)


def init_app(app: Flask) -> None:
    """Configure Flask-Login and the session cookie, and enforce the idle limit."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to make changes."
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_account)
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = not app.debug
    app.extensions[THROTTLE] = build_store(app.config.get("REDIS_URL"), Path(app.instance_path))
    app.before_request(_expire_idle_session)
    app.before_request(_refuse_throttled_sign_in)
    app.after_request(_count_sign_in)
    app.after_request(_never_store_signed_in_pages)


def throttle() -> LoginThrottle:
    """Return the sign-in throttle: the shared store, under the limits configured now."""
    return LoginThrottle(current_app.extensions[THROTTLE], Policy.from_config(current_app.config))


def _sign_in_attempt() -> tuple[str, str] | None:
    """Return (account, client address) if this request tries a password, else None.

    The address is the real client's: `tracker.security` applies ProxyFix for the
    configured number of trusted proxies, so a proxy's own address is never used.
    """
    if request.endpoint != SIGN_IN or request.method != "POST":
        return None
    return normalise_email(request.form.get("email", "")), request.remote_addr or "unknown"


def _refuse_throttled_sign_in() -> tuple[str, int, dict[str, str]] | None:
    """Answer 429 with Retry-After, before any password check, while this try must wait."""
    attempt = _sign_in_attempt()
    if attempt is None:
        return None
    wait = throttle().wait(*attempt)
    if wait <= 0:
        return None
    seconds = math.ceil(wait)
    error = TooManyRequests(
        f"Too many failed attempts to sign in from here. Wait {seconds} seconds and try "
        "again, or ask an admin to check your account."
    )
    page = render_template("errors/error.html", error=error)
    return page, 429, {"Retry-After": str(seconds)}


def _count_sign_in(response: Response) -> Response:
    """Count a failed sign-in; a successful one clears its address's delay."""
    attempt = _sign_in_attempt()
    if attempt is not None:
        if response.status_code == 401:
            throttle().failed(*attempt)
        elif response.status_code == 303:
            throttle().succeeded(*attempt)
    return response


def _never_store_signed_in_pages(response: Response) -> Response:
    """Keep what a signed-in account sees (a new API token, say) out of every cache."""
    if current_user and current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    return response


def _load_account(identity: str) -> Account | None:
    """Return the account a session names, if it is active and the nonce still matches."""
    user_id, _, nonce = identity.partition(":")
    if not user_id.isdigit():
        return None
    user = get_session().get(User, int(user_id))
    if user is None or not user.is_active or user.session_nonce != nonce:
        return None
    return Account.from_user(user)


def _expire_idle_session() -> None:
    """Sign out a session left idle too long; otherwise note that it was used now."""
    if "_user_id" not in session:
        return
    now = int(time.time())
    if now - int(session.get("seen", now)) > IDLE_LIMIT.total_seconds():
        logout_user()
        session.clear()
        return
    session["seen"] = now
    session.permanent = True


def signed_in() -> Account | None:
    """Return the signed-in account, or None for the public."""
    if current_user.is_authenticated:
        return cast(Account, current_user._get_current_object())
    return None


def editor_named(editor: User | None) -> str:
    """Name who made a change (a save, a verdict) as far as the signed-in reader may know.

    One rule for every screen that says who acted: only accounts that `sees_editors` read
    a colleague's address; others read that a member of the team did it.
    """
    account = signed_in()
    if editor is None:
        return "An import or an automatic update"
    if account is not None and editor.id == account.id:
        return "You, in another tab or window,"
    if account is not None and account.sees_editors:
        return editor.email
    return "Another member of the team"


def current_account() -> Account:
    """Return the signed-in account, in a view that `role_required` already guards.

    Should a view without the guard call it, the public is sent to sign in, exactly as
    the guard would have done, rather than the view carrying on with no account.
    """
    account = signed_in()
    if account is None:
        abort(login_manager.unauthorized())
    return account


def require_role_throughout(bp: Blueprint, role: Role) -> None:
    """Keep every view of a blueprint for accounts whose role covers `role`."""
    bp.before_request(role_required(role)(_allowed))


def _allowed() -> None:
    """Let the request through (a blueprint's guard, once `role_required` has passed it)."""


def role_required(role: Role) -> Callable[[F], F]:
    """Let only accounts whose role covers `role` use the view.

    The public is sent to sign in (then back); a signed-in account without the role gets 403.
    """

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            account = signed_in()
            if account is None:
                return login_manager.unauthorized()
            if not account.can(role):
                abort(403, description="Your account cannot do that.")
            return view(*args, **kwargs)

        return cast(F, guarded)

    return decorate
