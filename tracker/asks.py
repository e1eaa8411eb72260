"""The words of an ask: an email inviting a candidate or authority to pledge.

Built from the recommendations' own titles, so the ask says exactly what the campaign
asks, and the link lets the recipient see what others have already pledged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from tracker.models import Recommendation

SUBJECT = "Will you pledge to tackle modern slavery locally?"


@dataclass(frozen=True)
class Ask:
    """An email ready to send: who to, the subject, the body, and a mailto: link."""

    to: str | None
    subject: str
    body: str

    @property
    def mailto(self) -> str:
        """Return a mailto: link that opens the ask in the reader's email program."""
        return (
            f"mailto:{quote(self.to or '', safe='@')}"
            f"?subject={quote(self.subject)}&body={quote(self.body)}"
        )


def ask(
    name: str, recommendations: Sequence[Recommendation], page_url: str, *, to: str | None = None
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
        "A reply to this email saying which you commit to (and a link to where you said it "
        "publicly, if you have) is all we need to record your answer.\n\n"
        "Thank you."
    )
    return Ask(to=to, subject=SUBJECT, body=body)
