"""Who is signed in, for how long, and what their role lets them do.

Sessions are Flask's signed cookies. Each names the account's `session_nonce`, so signing
out (which changes the nonce) ends every copy of the session, and each records when it
was last used, so one idle for 30 minutes stops working even if the browser kept it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, Flask, abort, session
from flask_login import current_user, logout_user

from tracker.db import get_session
from tracker.extensions import login_manager
from tracker.models import Role, User

IDLE_LIMIT = timedelta(minutes=30)
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


def init_app(app: Flask) -> None:
    """Configure Flask-Login and the session cookie, and enforce the idle limit."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to make changes."
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_account)
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = not app.debug
    app.before_request(_expire_idle_session)


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
