"""Authority types in the words residents use, so no public page shows a register code."""

from __future__ import annotations

# The order the responsibility table lists them: councils from county down, then the
# bodies above them. The names say what residents call the body, not the register's
# shorthand ("NI district", "County").
TYPE_NAMES: dict[str, str] = {
    "CTY": "County council",
    "NMD": "District council",
    "UA": "Unitary authority",
    "MD": "Metropolitan district council",
    "LBO": "London borough council",
    "SCO": "Scottish council",
    "WPA": "Welsh council",
    "NID": "Northern Ireland district council",
    "COMB": "Combined authority",
    "SRA": "Greater London Authority",
    "CC": "City of London Corporation",
    "PFA": "Police force area",
}


def type_name(code: str) -> str:
    """Return an authority type's plain name; an unknown code reads as 'Other authority'."""
    return TYPE_NAMES.get(code, "Other authority")
