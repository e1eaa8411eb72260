"""Personal pledge links: made for one subject, signed, expiring and revocable.

A link carries its invitation's id and a random secret, signed with the site's SECRET_KEY.
The signature refuses a changed or truncated link before the database is read; only a
SHA-256 hash of the secret is stored, as for API tokens, so a copy of the database holds
no working link. Making the link again for the same subject and election gives it a new
secret, and the earlier copy stops working: there is only ever one live link per subject
and election, which is what sending and reminders count on.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from itsdangerous import BadData, URLSafeSerializer
from sqlmodel import Session, col, select

from tracker.models import Election, PledgeInvitation, utcnow
from tracker.pledging import Subject

LINK_SALT = "tracker.pledge-link"
EXPIRES_AFTER_ELECTION = timedelta(days=30)
MAX_TOKEN = 200
MAX_REASON = 500


class InvitationError(ValueError):
    """A link cannot be made or changed as asked; the message says why."""


class LinkNotFound(LookupError):
    """The token is not a link this site made: changed, truncated or made up."""


class LinkGone(Exception):
    """The link was real but no longer works; `reason` is expired, revoked or replaced."""

    def __init__(self, invitation: PledgeInvitation, reason: str) -> None:
        super().__init__(f"pledge link {invitation.id} is {reason}")
        self.invitation = invitation
        self.reason = reason


@dataclass(frozen=True)
class IssuedLink:
    """A link just made: its invitation row and the token, which is never stored."""

    invitation: PledgeInvitation
    token: str


def subject_of(invitation: PledgeInvitation) -> Subject:
    """Return whose answers the invitation records."""
    return Subject(person_id=invitation.person_id, authority_id=invitation.authority_id)


def default_expiry(poll_date: date) -> datetime:
    """Return when a link for an election stops working: the end of the 30th day after it."""
    return datetime.combine(poll_date + EXPIRES_AFTER_ELECTION, time(23, 59, 59), UTC)


def issue_link(
    session: Session,
    subject: Subject,
    *,
    election: Election | None,
    expires_at: datetime,
    secret_key: str,
    created_by_id: int | None = None,
    now: datetime | None = None,
) -> IssuedLink:
    """Make the subject's link for an election, replacing any live one's secret."""
    now = now or utcnow()
    if expires_at <= now:
        raise InvitationError(
            f"A link expiring on {expires_at:%Y-%m-%d} would not work: give a later expiry date."
        )
    secret = secrets.token_urlsafe(24)
    invitation = live_invitation(session, subject, election=election, now=now)
    if invitation is None:
        invitation = PledgeInvitation(
            person_id=subject.person_id,
            authority_id=subject.authority_id,
            election_id=election.id if election else None,
            created_at=now,
            created_by_id=created_by_id,
            expires_at=expires_at,
            secret_hash=_digest(secret),
        )
    invitation.secret_hash = _digest(secret)
    invitation.expires_at = expires_at
    session.add(invitation)
    session.flush()
    return IssuedLink(invitation, link_token(invitation.id, secret, secret_key))


def live_invitation(
    session: Session, subject: Subject, *, election: Election | None, now: datetime
) -> PledgeInvitation | None:
    """Return the subject's unrevoked, unexpired invitation for an election, if any."""
    stmt = select(PledgeInvitation).where(
        PledgeInvitation.person_id == subject.person_id,
        PledgeInvitation.authority_id == subject.authority_id,
        PledgeInvitation.election_id == (election.id if election else None),
        col(PledgeInvitation.revoked_at).is_(None),
        col(PledgeInvitation.expires_at) > now,
    )
    return session.exec(stmt.order_by(col(PledgeInvitation.id).desc())).first()


def link_token(invitation_id: int, secret: str, secret_key: str) -> str:
    """Sign the invitation's id and secret into the token that goes in the link."""
    return str(_serializer(secret_key).dumps([invitation_id, secret]))


def invitation_for_token(
    session: Session, token: str, *, secret_key: str, now: datetime | None = None
) -> PledgeInvitation:
    """Return the invitation a link opens; raise LinkNotFound or LinkGone when it opens none."""
    if len(token) > MAX_TOKEN:
        raise LinkNotFound(token[:20])
    try:
        payload = _serializer(secret_key).loads(token)
    except BadData:
        raise LinkNotFound(token[:20]) from None
    if not (
        isinstance(payload, list)
        and len(payload) == 2
        and isinstance(payload[0], int)
        and isinstance(payload[1], str)
    ):
        raise LinkNotFound(token[:20])
    invitation = session.get(PledgeInvitation, payload[0])
    if invitation is None:
        raise LinkNotFound(token[:20])
    if not hmac.compare_digest(invitation.secret_hash, _digest(payload[1])):
        # Signed by this site, so it was a real link, since replaced by a newer one.
        raise LinkGone(invitation, "replaced")
    if invitation.revoked_at is not None:
        raise LinkGone(invitation, "revoked")
    if invitation.expires_at <= (now or utcnow()):
        raise LinkGone(invitation, "expired")
    return invitation


def revoke_invitation(
    session: Session, invitation: PledgeInvitation, *, reason: str, now: datetime | None = None
) -> None:
    """Stop the link working at once, keeping why (answers are rolled back by the caller)."""
    if invitation.revoked_at is not None:
        raise InvitationError("That link was already revoked.")
    invitation.revoked_at = now or utcnow()
    invitation.revoked_reason = reason.strip()[:MAX_REASON] or None
    session.add(invitation)
    session.flush()


def record_unsubscribe(
    session: Session, invitation: PledgeInvitation, *, now: datetime | None = None
) -> None:
    """Note that the subject asked for no more emails: no link or reminder is sent again."""
    invitation.unsubscribed_at = invitation.unsubscribed_at or now or utcnow()
    session.add(invitation)
    session.flush()


def has_unsubscribed(session: Session, subject: Subject) -> bool:
    """Return whether the subject asked, through any of their links, for no more emails."""
    stmt = select(PledgeInvitation.id).where(
        PledgeInvitation.person_id == subject.person_id,
        PledgeInvitation.authority_id == subject.authority_id,
        col(PledgeInvitation.unsubscribed_at).is_not(None),
    )
    return session.exec(stmt).first() is not None


def _serializer(secret_key: str) -> URLSafeSerializer:
    """Return the signer for pledge links (salted, so no other signed value passes as one)."""
    return URLSafeSerializer(secret_key, salt=LINK_SALT)


def _digest(secret: str) -> str:
    """Hash a link's secret; it is long and random, so a fast hash is enough."""
    return hashlib.sha256(secret.encode()).hexdigest()
