"""Shared pieces of the importers: reading values, applying them, reporting outcomes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tracker.dbtypes import MAX_INTEGER


@dataclass(frozen=True)
class RowError:
    """A rejected row: its line in the file (the header is line 1) and the reason."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ImportReport:
    """Counts of what happened to the rows of one file."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RowError] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # rows by election type
    warnings: list[RowError] = field(default_factory=list)  # imported, less a bad cell

    def summary(self) -> str:
        """Return a one-line summary for people."""
        text = (
            f"{self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.rejected)} rejected"
        )
        if self.skipped:
            kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(self.skipped.items()))
            text += f", {sum(self.skipped.values())} skipped (elections not followed: {kinds})"
        if self.warnings:
            text += f", {len(self.warnings)} with warnings"
        return text

    def rejected_lines(self, most: int = 10) -> str:
        """Return the rejected rows' lines and reasons for people, cut short if many."""
        shown = "; ".join(str(error) for error in self.rejected[:most])
        more = len(self.rejected) - most
        return shown + (f"; and {more:,} more" if more > 0 else "")


class ImportRejected(Exception):
    """The file had bad rows and nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} row(s) rejected; nothing was imported")
        self.errors = errors


def parse_bool(value: str, *, column: str) -> bool | None:
    """Read a Democracy Club boolean (`True`/`False`, or `t`/`f` in older exports)."""
    text = value.strip().lower()
    if text in ("true", "t", "1", "yes"):
        return True
    if text in ("false", "f", "0", "no"):
        return False
    if text == "":
        return None
    raise ValueError(f"{column} must be True or False, not {value!r}")


def parse_int(value: str, *, column: str, minimum: int = 0) -> int | None:
    """Read a whole number from `minimum` to what the database holds; blank means unknown."""
    text = value.strip()
    if text == "":
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        raise ValueError(f"{column} must be a whole number, not {value!r}")
    if not minimum <= int(text) <= MAX_INTEGER:
        raise ValueError(f"{column} must be from {minimum} to {MAX_INTEGER}, not {value!r}")
    return int(text)


def assign_changed(model: object, values: Mapping[str, object]) -> bool:
    """Set the values that differ on a model; return whether any did."""
    changed = {k: v for k, v in values.items() if getattr(model, k) != v}
    for key, value in changed.items():
        setattr(model, key, value)
    return bool(changed)
