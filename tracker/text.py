"""Small text helpers shared by importers and views."""

from __future__ import annotations

import re
import unicodedata

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def is_storable(text: str) -> bool:
    """Return whether a database can hold this text: no NUL and no unpaired surrogate."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def slugify(text: str) -> str:
    """Return a lowercase ASCII slug: "Devon & Cornwall" -> "devon-and-cornwall"."""
    ascii_text = (
        unicodedata.normalize("NFKD", text.replace("&", " and "))
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    return _NON_SLUG.sub("-", ascii_text.lower()).strip("-")
