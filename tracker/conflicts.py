"""Two editors, one pledge: what differs between the saved version and the refused one.

An edit form carries a digest of each field as the editor loaded it (`base`). When a
save is refused because someone else saved first, a field whose value still matches its
digest is one the editor never touched, so "save mine instead" keeps the other person's
value there: replacing a colleague's note takes typing a new one, not merely having had
the form open.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from tracker.models import Delivery, Pledge, PledgeStatus
from tracker.pledging import EDITABLE

Values = Mapping[str, object]
DIGEST = 12  # hex characters a field: enough to tell an edit from none, short for a form


@dataclass(frozen=True)
class ComparedField:
    """One field of both versions: the saved value, the one a re-save would write."""

    name: str
    theirs: object
    yours: object
    kept_theirs: bool  # the editor left it as loaded, so the saved value stays

    @property
    def differs(self) -> bool:
        """Return whether saving over theirs would change this field."""
        return _text(self.theirs) != _text(self.yours)


def pledge_values(pledge: Pledge | None) -> dict[str, object]:
    """Return a pledge's editable fields; nothing recorded reads as awaiting a response."""
    values: dict[str, object] = {name: getattr(pledge, name, None) for name in EDITABLE}
    values["status"] = values["status"] or PledgeStatus.AWAITING.value
    values["delivery"] = values["delivery"] or Delivery.NOT_YET_RATED.value
    return values


def digests(values: Values) -> str:
    """Return the fingerprint of each editable field, for the edit form to carry."""
    return ".".join(_digest(values[name]) for name in EDITABLE)


def compare(base: str | None, mine: Values, theirs: Values) -> list[ComparedField]:
    """Compare the saved values with the editor's, keeping theirs where the editor
    changed nothing.

    Without a readable `base` (a form from before digests, or a tampered one) every field
    counts as the editor's, as a plain overwrite would.
    """
    return [
        ComparedField(
            name=name,
            theirs=theirs[name],
            yours=theirs[name] if unchanged else mine[name],
            kept_theirs=unchanged and _text(mine[name]) != _text(theirs[name]),
        )
        for name, digest in zip(EDITABLE, _parse(base), strict=True)
        for unchanged in [digest is not None and _digest(mine[name]) == digest]
    ]


def _parse(base: str | None) -> list[str | None]:
    """Return one digest a field; all None if `base` is not a fingerprint of this form."""
    parts: list[str | None] = list((base or "").split("."))
    if len(parts) != len(EDITABLE) or not all(p and len(p) == DIGEST for p in parts):
        return [None] * len(EDITABLE)
    return parts


def _digest(value: object) -> str:
    """Return a short digest of a field's value as text (blank and None are the same)."""
    return hashlib.sha256(_text(value).encode()).hexdigest()[:DIGEST]


def _text(value: object) -> str:
    """Return a field's value as comparable text; dates as ISO, None as blank."""
    return "" if value is None else str(value)
