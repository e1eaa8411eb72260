"""Line-level layout rules shared by the PDF and plain-text extractors.

Both formats hand us lines, not paragraphs: a PDF breaks lines where the page ran out, a
text file where its author pressed return. These helpers decide which lines belong together,
which are bullets or headings, and how to undo end-of-line hyphenation.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

# pdfium marks a hyphen it recognised at a line end with U+FFFE (and sometimes U+0002).
LINE_END_HYPHEN = "\ufffe"
_HYPHENS = "-\u2010\u2011\u00ad" + LINE_END_HYPHEN + "\x02"
BULLET = re.compile(
    "^\\s*(?:[\u2022\u25cf\u25aa\u25a0\u25e6\u25cb\u00bb\u25ba\u27a2\u2713\u2714\uf0b7\uf0a7"
    "\u2023\u2043\u00b7*\u2013\u2014-]|o(?=\\s))\\s*"
)
NUMBERED = re.compile(
    r"^\s*(?:\(?\d{1,2}[.)]|\d{1,2}(?:\.\d{1,2})+\.?|\(?[a-z][.)]|\(?[ivx]{1,4}[.)])\s+(?=\S)"
)
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")
_TERMINAL = re.compile(r"[.,;:!]\s*$")
_SENTENCE_END = re.compile(r"[.!?:;]['\"\u2019\u201d)]*\s*$")
# Prefixes that keep their hyphen when a line break falls after them ("multi-\nagency").
_HYPHEN_PREFIXES = {
    "anti", "co", "cross", "multi", "non", "self", "well", "ex", "semi", "pre", "post", "inter",
    "long", "short", "full", "part", "half", "low", "high", "mid", "under", "over", "sub",
    "front", "first", "second", "third", "all", "age", "child", "cost", "decision", "evidence",
    "fit", "ill", "joined", "risk", "sector", "survivor", "victim", "year", "place", "time",
}  # fmt: skip
_MAX_HEADING_CHARS = 90
_MAX_HEADING_WORDS = 14


def vocabulary(text: str) -> set[str]:
    """Collect the document's own words, so hyphen repair can ask how the document spells them."""
    return set(_WORD.findall(text.lower()))


def join_lines(lines: Sequence[str], words: set[str]) -> str:
    """Join wrapped lines into one paragraph, repairing words split across a line end.

    Pieces are collected and joined once, so a page of a hundred thousand lines stays linear.
    """
    pieces: list[str] = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if pieces and pieces[-1][-1] in _HYPHENS and line[0].isalpha():
            pieces[-1] = pieces[-1][:-1] + ("-" if _keeps_hyphen(pieces[-1], line, words) else "")
        elif pieces and line[0] not in ".,;:)]":
            pieces.append(" ")
        pieces.append(line)
    return "".join(pieces)


def _keeps_hyphen(before: str, after: str, words: set[str]) -> bool:
    """Decide whether a line-end hyphen joins a compound ("multi-agency") or splits a word.

    The document's own spelling decides first; failing that, a capital after the break or a
    prefix that usually takes a hyphen keeps it.
    """
    left = re.search(r"[A-Za-z]+$", before[:-1])
    right = re.match(r"[A-Za-z]+", after)
    if left is None or right is None:
        return True
    first, second = left.group().lower(), right.group().lower()
    if f"{first}-{second}" in words:
        return True
    if first + second in words:
        return False
    return after[0].isupper() or first in _HYPHEN_PREFIXES


def strip_bullet(line: str) -> str:
    """Remove a leading bullet glyph, which carries no meaning once the item is a passage."""
    return BULLET.sub("", line, count=1)


def starts_item(line: str) -> bool:
    """Say whether a line opens a bulleted or numbered item."""
    return bool(BULLET.match(line) or NUMBERED.match(line))


def is_heading_shaped(line: str) -> bool:
    """Say whether a line could be a heading: short, capitalised, and not ending a sentence."""
    text = strip_bullet(line).strip()
    if not text or len(text) > _MAX_HEADING_CHARS or _TERMINAL.search(text):
        return False
    first = NUMBERED.sub("", text, count=1)[:1]
    return (first.isupper() or first.isdigit()) and len(text.split()) <= _MAX_HEADING_WORDS


def reads_as_sentence(text: str) -> bool:
    """Say whether text styled as a heading is really a sentence (authors misuse styles)."""
    return len(text) > 150 or (text.rstrip().endswith(".") and len(text.split()) > 5)


def ends_sentence(line: str) -> bool:
    """Say whether a line ends with sentence punctuation, so a short one closes a paragraph."""
    return bool(_SENTENCE_END.search(line))


def is_upper_case(line: str) -> bool:
    """Say whether a line is set in capitals, a common way to mark headings in designed PDFs."""
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.9 * len(letters)


def repeated_lines(pages: Iterable[Iterable[str]], page_count: int, share: float) -> set[str]:
    """Find running heads: short lines found on at least `share` of a document's pages."""
    if page_count < 3:
        return set()
    seen: Counter[str] = Counter()
    for keys in pages:
        seen.update({key for key in keys if key and len(key) <= 90})
    threshold = max(3, math.ceil(share * page_count))
    return {key for key, count in seen.items() if count >= threshold}


def running_key(line: str) -> str:
    """Normalise a line for running-header detection: page numbers vary, the words do not."""
    return re.sub(r"\d+", "#", " ".join(line.split()).lower())
