"""Emailing pledge links: one message per subject, its outcome kept on the invitation.

Each message carries a freshly made link (only its hash is stored, so a link can only be
put in an email at the moment it is made); the outcome (sent, refused, no address) and
the address it went to are saved and committed after every message, so a run that stops
half way can be started again without writing to anyone twice. A week before a link
expires, subjects who have not answered get a reminder with a new link, which replaces
the first. Nobody who asked to unsubscribe is written to again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from markupsafe import Markup
from sqlmodel import Session

from tracker.invitations import IssuedLink, has_unsubscribed, issue_link, live_invitation
from tracker.mail import Mailer, MailError, Refused
from tracker.models import Election, PledgeInvitation, SendOutcome, utcnow
from tracker.pledging import Subject
from tracker.queries.invitations import Addressee, addressee, election_candidates
from tracker.text import long_date

SUBJECT = "Your personal link to answer the Modern Slavery Local Pledge"
REMINDER_SUBJECT = "Reminder: your Modern Slavery Local Pledge link expires on {date}"
MakeLink = Callable[[Subject, Election | None], IssuedLink]


@dataclass(frozen=True)
class MailConfig:
    """Who the messages are from, where replies go, and where to unsubscribe."""

    sender: str
    reply_to: str
    unsubscribe: str

    @classmethod
    def from_app(cls, config: Mapping[str, Any]) -> MailConfig:
        """Read the addresses from the app's settings; sending needs the campaign's own."""
        campaign = config.get("CAMPAIGN_EMAIL")
        if not campaign:
            raise MailError("Set CAMPAIGN_EMAIL: replies and unsubscribes go to it.")
        return cls(
            sender=config.get("MAIL_FROM") or campaign,
            reply_to=campaign,
            unsubscribe=config.get("UNSUBSCRIBE_EMAIL") or campaign,
        )


@dataclass
class SendReport:
    """How a run went, message by message."""

    outcomes: dict[str, int] = field(default_factory=lambda: {o.value: 0 for o in SendOutcome})
    already_sent: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Return one line for the end of the run."""
        counts = ", ".join(f"{count} {name}" for name, count in self.outcomes.items())
        return f"{counts}, {self.already_sent} sent before"


def invitation_message(
    who: Addressee,
    link: str,
    invitation: PledgeInvitation,
    mail: MailConfig,
    *,
    reminder: bool = False,
) -> EmailMessage:
    """Write the email carrying one subject's link, as plain text and HTML."""
    expires = long_date(invitation.expires_at)
    message = EmailMessage()
    message["Subject"] = REMINDER_SUBJECT.format(date=expires) if reminder else SUBJECT
    message["From"] = mail.sender
    message["To"] = who.email or ""
    message["Reply-To"] = mail.reply_to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=mail.sender.rpartition("@")[2] or None)
    message["List-Unsubscribe"] = f"<mailto:{mail.unsubscribe}?subject=unsubscribe>"
    paragraphs = _paragraphs(who, expires, mail, reminder=reminder)
    text = "\n\n".join([f"Dear {who.name},", *paragraphs[:1], link, *paragraphs[1:]])
    message.set_content(text + "\n")
    html = Markup("").join(
        [
            Markup("<p>Dear {},</p>").format(who.name),
            Markup("<p>{}</p>").format(paragraphs[0]),
            Markup('<p><a href="{0}">{0}</a></p>').format(link),
            *(Markup("<p>{}</p>").format(p) for p in paragraphs[1:]),
        ]
    )
    message.add_alternative(f"<!doctype html><html><body>{html}</body></html>", subtype="html")
    return message


def _paragraphs(who: Addressee, expires: str, mail: MailConfig, *, reminder: bool) -> list[str]:
    """Return the message's words around the link."""
    office = f" as {who.office}" if who.office else ""
    first = (
        "You have not yet answered the Modern Slavery Local Pledge. Here is a new "
        f"personal link to answer{office}; it replaces the one we sent before:"
        if reminder
        else "The anti-trafficking charity Hope for Justice asks local candidates and "
        "authorities to commit to five recommendations to tackle modern slavery, and the "
        "Modern Slavery Pledge Tracker publishes who has. This is your personal link to "
        f"answer{office}:"
    )
    return [
        first,
        "For each recommendation, choose whether you pledge, pledge in part or are not able "
        "to pledge, and add a short statement if you wish. Your answer is published as given "
        f"by you through this link, and you can change it until {expires}, when it expires.",
        "The link is for you alone: please do not forward it. Replies to this email go to "
        f"the campaign at {mail.reply_to}.",
        f"To receive no more of these emails, write to {mail.unsubscribe} with "
        "“unsubscribe” in the subject.",
    ]


def send_links(
    session: Session,
    targets: Iterable[tuple[Subject, Election | None]],
    *,
    make_link: MakeLink,
    link_url: Callable[[str], str],
    mailer: Mailer,
    mail: MailConfig,
    progress: Callable[[str], None] = lambda _outcome: None,
    reminder: bool = False,
) -> SendReport:
    """Email each subject a new link, unless one was already sent; commit after each.

    A reminder's link replaces the one already sent (that is whom reminders are for), so
    reminders skip that check; first sends and reminders share this loop so that both skip
    unsubscribed subjects, count and commit alike.
    """
    report = SendReport()
    for subject, election in targets:
        if has_unsubscribed(session, subject):
            report.outcomes[SendOutcome.UNSUBSCRIBED.value] += 1
            progress(SendOutcome.UNSUBSCRIBED.value)
            continue
        if not reminder and _already_sent(session, subject, election):
            report.already_sent += 1  # a new link would break the one already emailed
            progress("sent before")
            continue
        issued = make_link(subject, election)
        outcome = deliver(
            session, issued, link_url(issued.token), mailer=mailer, mail=mail, reminder=reminder
        )
        session.commit()
        _count(report, issued.invitation, outcome)
        progress(outcome.value)
    return report


def send_election(
    session: Session,
    election: Election,
    *,
    expires_at: datetime,
    secret_key: str,
    link_url: Callable[[str], str],
    mailer: Mailer,
    mail: MailConfig,
    progress: Callable[[str], None] = lambda _outcome: None,
) -> SendReport:
    """Email every candidate of an election their link (those already emailed are skipped)."""
    targets: list[tuple[Subject, Election | None]] = [
        (Subject(person_id=standing.person.id), election)
        for standing in election_candidates(session, election)
    ]

    def make_link(subject: Subject, election: Election | None) -> IssuedLink:
        return issue_link(
            session, subject, election=election, expires_at=expires_at, secret_key=secret_key
        )

    return send_links(
        session,
        targets,
        make_link=make_link,
        link_url=link_url,
        mailer=mailer,
        mail=mail,
        progress=progress,
    )


def resend_link(
    session: Session,
    invitation: PledgeInvitation,
    *,
    secret_key: str,
    link_url: Callable[[str], str],
    mailer: Mailer,
    mail: MailConfig,
) -> SendOutcome:
    """Email one subject a new link in place of the invitation's (unless they unsubscribed)."""
    subject = _subject_of(invitation)
    if has_unsubscribed(session, subject):
        return SendOutcome.UNSUBSCRIBED
    election = _election_of(session, invitation)
    issued = issue_link(
        session,
        subject,
        election=election,
        expires_at=invitation.expires_at,
        secret_key=secret_key,
    )
    return deliver(session, issued, link_url(issued.token), mailer=mailer, mail=mail)


def send_reminders(
    session: Session,
    due: list[PledgeInvitation],
    *,
    make_link: MakeLink,
    link_url: Callable[[str], str],
    mailer: Mailer,
    mail: MailConfig,
    progress: Callable[[str], None] = lambda _outcome: None,
) -> SendReport:
    """Remind each unanswered subject a week before their link expires, with a new link."""
    targets = ((_subject_of(invitation), _election_of(session, invitation)) for invitation in due)
    return send_links(
        session,
        targets,
        make_link=make_link,
        link_url=link_url,
        mailer=mailer,
        mail=mail,
        progress=progress,
        reminder=True,
    )


def _already_sent(session: Session, subject: Subject, election: Election | None) -> bool:
    """Say whether the subject's live link for the election was already emailed."""
    live = live_invitation(session, subject, election=election, now=utcnow())
    return live is not None and live.send_outcome == SendOutcome.SENT.value


def _subject_of(invitation: PledgeInvitation) -> Subject:
    """Return whom an invitation was made for."""
    return Subject(person_id=invitation.person_id, authority_id=invitation.authority_id)


def _election_of(session: Session, invitation: PledgeInvitation) -> Election | None:
    """Return the election an invitation's link answers for, if it is for one."""
    return session.get(Election, invitation.election_id) if invitation.election_id else None


def deliver(
    session: Session,
    issued: IssuedLink,
    link: str,
    *,
    mailer: Mailer,
    mail: MailConfig,
    reminder: bool = False,
    now: datetime | None = None,
) -> SendOutcome:
    """Email one link and record what happened on its invitation (the caller commits)."""
    invitation = issued.invitation
    who = addressee(session, invitation)
    now = now or utcnow()
    if not who.email:
        outcome, error = SendOutcome.NO_ADDRESS, None
    else:
        try:
            mailer.send(invitation_message(who, link, invitation, mail, reminder=reminder))
            outcome, error = SendOutcome.SENT, None
        except Refused as refused:
            outcome, error = SendOutcome.REFUSED, str(refused)[:500]
        invitation.sent_to = who.email
    if reminder:
        invitation.reminded_at = now
        invitation.send_error = error
    else:
        invitation.send_outcome = outcome.value
        invitation.send_error = error
        invitation.sent_at = now if outcome is SendOutcome.SENT else None
    session.add(invitation)
    session.flush()
    return outcome


def _count(report: SendReport, invitation: PledgeInvitation, outcome: SendOutcome) -> None:
    """Add one message's outcome to the report."""
    report.outcomes[outcome.value] += 1
    if outcome is SendOutcome.REFUSED:
        report.problems.append(f"invitation {invitation.id}: {invitation.send_error}")
