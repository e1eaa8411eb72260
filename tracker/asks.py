"""The words of an ask: an email inviting a candidate or authority to pledge.

Built from the recommendations' own titles, so the ask says exactly what the campaign
asks, and the link lets the recipient see what others have already pledged. A resident
sends it from their own mailbox, so the campaign is copied in and the text asks for the
reply to go to the campaign, which records answers: a reply to the resident alone would
never reach the tracker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from flask import current_app

from tracker.models import Authority, Recommendation

SUBJECT = "Will you pledge to tackle modern slavery locally?"


@dataclass(frozen=True)
class Ask:
    """An email ready to send: who to, who is copied in, the subject, the body, a mailto: link."""

    to: str | None
    subject: str
    body: str
    cc: str | None = None

    @property
    def mailto(self) -> str:
        """Return a mailto: link that opens the ask in the reader's email program."""
        cc = f"cc={quote(self.cc, safe='@')}&" if self.cc else ""
        return (
            f"mailto:{quote(self.to or '', safe='@')}"
            f"?{cc}subject={quote(self.subject)}&body={quote(self.body)}"
        )


def salutation(body: Authority, holder: str | None = None) -> str:
    """Address an ask to the office holder by name and office when known, else the body.

    A police area's ask goes to its commissioner ("Dear Jane Doe, Police and Crime
    Commissioner for Dyfed-Powys"), never to "Dear Dyfed-Powys police force area".
    """
    office = _office(body, is_elected=holder is not None)
    if office is None:
        return body.name
    return f"{holder}, {office}" if holder else office


def _office(body: Authority, *, is_elected: bool) -> str | None:
    """Return the title of the one person who speaks for this body, if there is one."""
    if body.kind == "PFA":
        return f"{body.commissioner} for {body.short_name}" if body.commissioner else None
    if body.kind == "COMB" and (is_elected or body.pcc_powers):
        return f"Mayor of the {body.name}"
    if body.kind == "SRA" and is_elected:
        return "Mayor of London"
    return None


def ask(
    name: str,
    recommendations: Sequence[Recommendation],
    page_url: str,
    *,
    to: str | None = None,
    campaign: str | None = None,
) -> Ask:
    """Write the ask to one candidate or authority, naming each recommendation."""
    asks = "\n".join(f"{rec.position}. {rec.title}" for rec in recommendations)
    body = (
        f"Dear {name},\n\n"
        "Modern slavery happens in communities across the UK, and a local response needs "
        "local leaders. The anti-trafficking charity Hope for Justice asks candidates and "
        "authorities to commit to these recommendations:\n\n"
        f"{asks}\n\n"
        "Will you pledge to them? You can see the full text, and who has already pledged, "
        f"here:\n{page_url}\n\n"
        f"{_reply_request(campaign)}\n\n"
        "Thank you."
    )
    return Ask(to=to, subject=SUBJECT, body=body, cc=campaign)


def _reply_request(campaign: str | None) -> str:
    """Ask for the reply where it will be recorded: the campaign, when it has an address."""
    if campaign is None:
        return (
            "Please answer publicly, saying which you commit to, so the campaign can "
            "record it on the tracker."
        )
    return (
        f"Please send your reply to the campaign at {campaign} (copied in here), saying "
        "which you commit to: the campaign records every answer on the tracker, and a "
        "reply to me alone would not reach it."
    )


def campaign_email() -> str | None:
    """Return the campaign's own address (CAMPAIGN_EMAIL), which asks copy in."""
    value = current_app.config.get("CAMPAIGN_EMAIL")
    return str(value) if value else None
