"""Read dates and plan periods the way UK council documents write them.

"12 March 2018", "12th March, 2018", "March 2018", "12/03/2018" (day first, as in the UK),
"2018-03-12"; periods as "2018–2021", "2018-21", "2018 to 2021", "2018/19 – 2020/21" and a
single financial year "2021/22". Pure functions over text, used by `describe`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_YEAR = r"((?:19|20)\d{2})"
_DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?,?\s+{_YEAR}\b", re.IGNORECASE
)
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,\s+{_YEAR}\b", re.I)
_NUMERIC = re.compile(rf"\b(\d{{1,2}})[/.](\d{{1,2}})[/.]{_YEAR}\b")
_ISO = re.compile(rf"\b{_YEAR}-(\d{{2}})-(\d{{2}})\b")
_ISO_START = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\.?,?\s+{_YEAR}\b", re.IGNORECASE)
_PERIOD = re.compile(
    r"(?<![\d/.-])((?:19|20)\d{2})(?:/(\d{2}))?"
    r"\s*(?:-|\u2013|\u2014|to|until)\s*"
    r"((?:19|20)\d{2}|\d{2})(?:/(\d{2}))?(?![\d/.-])",
    re.IGNORECASE,
)
_FINANCIAL_YEAR = re.compile(r"(?<![\d/.-])((?:19|20)\d{2})/(\d{2})(?![\d/.-])")
MAX_PERIOD_YEARS = 10
FIRST_YEAR, LAST_YEAR = 1990, 2100


def dates_in(text: str) -> Iterator[tuple[int, date]]:
    """Yield (offset, date) for every full or month-and-year date in the text, in order."""
    found: list[tuple[int, int, date]] = []
    taken: list[tuple[int, int]] = []
    for pattern, reader in _READERS:
        for match in pattern.finditer(text):
            span = match.span()
            if any(start < span[1] and span[0] < end for start, end in taken):
                continue  # "March 2018" inside "12 March 2018" is the same date
            day = _valid(*reader(match))
            if day is not None:
                found.append((span[0], span[1], day))
                taken.append(span)
    for start, _, day in sorted(found):
        yield start, day


def iso_date(text: str | None) -> date | None:
    """Read the date at the start of an ISO 8601 timestamp ("2018-07-17T11:13:00Z")."""
    match = _ISO_START.match((text or "").strip())
    return _valid(int(match[1]), int(match[2]), int(match[3])) if match else None


def first_date(text: str) -> date | None:
    """Return the first date written in the text."""
    return next((day for _, day in dates_in(text)), None)


def period_in(text: str) -> tuple[int, int] | None:
    """Return the first plan period (first year, last year) written in the text."""
    for match in _PERIOD.finditer(text):
        start = int(match[1])
        if match[4] and len(match[3]) == 4:
            end = _full_year(match[4], int(match[3]))  # "2018/19 - 2020/21" ends in 2021
        else:
            end = _full_year(match[3], start)
        if FIRST_YEAR <= start < end <= start + MAX_PERIOD_YEARS:
            return start, end
    single = _FINANCIAL_YEAR.search(text)
    if single:
        start = int(single[1])
        end = _full_year(single[2], start)
        if start >= FIRST_YEAR and end == start + 1:
            return start, end
    return None


def _day_month_year(match: re.Match[str]) -> tuple[int, int, int]:
    """Read "12 March 2018" as (year, month, day)."""
    return int(match[3]), _month(match[2]), int(match[1])


def _month_day_year(match: re.Match[str]) -> tuple[int, int, int]:
    """Read "March 12, 2018"."""
    return int(match[3]), _month(match[1]), int(match[2])


def _numeric(match: re.Match[str]) -> tuple[int, int, int]:
    """Read "12/03/2018", day first as in the UK."""
    return int(match[3]), int(match[2]), int(match[1])


def _iso(match: re.Match[str]) -> tuple[int, int, int]:
    """Read "2018-03-12"."""
    return int(match[1]), int(match[2]), int(match[3])


def _month_year(match: re.Match[str]) -> tuple[int, int, int]:
    """Read "March 2018" as its first day."""
    return int(match[2]), _month(match[1]), 1


_READERS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], tuple[int, int, int]]], ...] = (
    (_DAY_MONTH_YEAR, _day_month_year),
    (_MONTH_DAY_YEAR, _month_day_year),
    (_NUMERIC, _numeric),
    (_ISO, _iso),
    (_MONTH_YEAR, _month_year),
)


def _full_year(digits: str, start: int) -> int:
    """Turn a two-digit year into the year after `start` it stands for ("21" after 2018)."""
    if len(digits) == 4:
        return int(digits)
    century = start - start % 100
    year = century + int(digits)
    return year + 100 if year < start else year


def _month(name: str) -> int:
    """Return a month's number from its English name or abbreviation."""
    return _MONTHS[name.lower()[:4] if name.lower().startswith("sept") else name.lower()[:3]]


def _valid(year: int, month: int, day: int) -> date | None:
    """Return the date if it exists and is plausible for a council document."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None
