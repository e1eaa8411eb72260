"""Accounts and API tokens: creating, changing and checking them.

Passwords are hashed with scrypt; tokens are random and stored only as SHA-256 hashes,
so a copy of the database reveals neither.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlmodel import Session, col, select
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.models import ApiToken, Role, User, utcnow
from tracker.text import is_email

MIN_PASSWORD = 12
MAX_PASSWORD = 1024
# A marker that makes leaked tokens easy to spot, not a secret.
TOKEN_PREFIX = "pt_"  # noqa: S105  # nosec B105
# Compared against when no account matches, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


class AccountError(ValueError):
    """A request about an account that cannot be carried out, with the reason."""


def normalise_email(email: str) -> str:
    """Return the email address as accounts are keyed: trimmed and lowercased."""
    return email.strip().lower()


def check_new_password(password: str) -> None:
    """Refuse passwords too short to resist guessing (or absurdly long)."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Passwords need at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"Passwords are limited to {MAX_PASSWORD} characters.")


def user_by_email(session: Session, email: str) -> User | None:
    """Return the account with this email address, if any."""
    stmt = select(User).where(User.email == normalise_email(email))
    return session.exec(stmt).first()


def create_user(session: Session, email: str, password: str, role: Role) -> User:
    """Create an account; the email must be new and the password long enough."""
    email = normalise_email(email)
    if not is_email(email):
        raise AccountError(f"{email!r} is not an email address.")
    if user_by_email(session, email):
        raise AccountError(f"An account for {email} already exists.")
    check_new_password(password)
    user = User(
        email=email,
        password_hash=generate_password_hash(password, method="scrypt"),
        role=role.value,
        session_nonce=secrets.token_hex(16),
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the active account these credentials open, or None."""
    user = user_by_email(session, email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    user.last_login_at = utcnow()
    return user


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every session cookie names the old nonce."""
    user.session_nonce = secrets.token_hex(16)


def set_role(user: User, role: Role) -> User:
    """Change an account's role; its sessions end so the new role applies at once."""
    user.role = role.value
    end_sessions(user)
    return user


def deactivate_user(session: Session, user: User) -> User:
    """Stop an account signing in or using the API; its records stay attributed to it."""
    user.is_active = False
    end_sessions(user)
    for token in active_tokens(session, user):
        token.revoked_at = utcnow()
    return user


def existing_user(session: Session, email: str) -> User:
    """Return the account with this email address, or explain that there is none."""
    user = user_by_email(session, email)
    if user is None:
        raise AccountError(f"There is no account for {normalise_email(email)}.")
    return user


def create_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """Create an API token; return it and its secret, which is never stored or shown again."""
    name = name.strip()[:100] or "API token"
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=_digest(secret), prefix=secret[:10])
    session.add(token)
    session.flush()
    return token, secret


def active_tokens(session: Session, user: User) -> list[ApiToken]:
    """Return the user's tokens that still work, newest first."""
    stmt = (
        select(ApiToken)
        .where(ApiToken.user_id == user.id, col(ApiToken.revoked_at).is_(None))
        .order_by(col(ApiToken.created_at).desc())
    )
    return list(session.exec(stmt))


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise AccountError("There is no such token.")
    token.revoked_at = token.revoked_at or utcnow()
    return token


def user_for_token(session: Session, secret: str) -> User | None:
    """Return the active account a bearer token belongs to, or None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    digest = _digest(secret)
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == digest)).first()
    if token is None or token.revoked_at is not None:
        return None
    if not hmac.compare_digest(token.token_hash, digest):
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    token.last_used_at = utcnow()
    return user


def _digest(secret: str) -> str:
    """Hash a token; tokens are long and random, so a fast hash is enough."""
    return hashlib.sha256(secret.encode()).hexdigest()
