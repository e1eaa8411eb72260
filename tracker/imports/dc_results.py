"""Read Democracy Club's API `result_sets` JSON as rows of its CSV export.

The API's results endpoint (`/api/v0.9/result_sets/`, or one page of it) gives each
ballot with its candidates, their votes and who won. Each candidacy becomes the row the
CSV export would hold for it, so both formats go through one set of checks. Party ids
take the CSV's form (`party:53` is `PP53`); a ballot's seats are its number of winners.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

NEEDED = (
    "a JSON file must be Democracy Club's API result_sets: a list (or a page, with "
    "'results') of ballots, each with 'ballot_paper_id' and 'candidate_results'; for "
    "candidates without results use the CSV export"
)
_PARTY = re.compile(r"party:(\d+)")
_WARD_GSS = re.compile(r"[A-Za-z]+:([ENSWK]\d{8})")


class NotResultSets(ValueError):
    """The JSON is not in the shape of Democracy Club's result sets."""


def result_set_records(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (number, CSV-shaped record) for each candidacy, numbered from 2 like lines."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotResultSets(f"not readable JSON ({exc}); {NEEDED}") from None
    ballots = data.get("results") if isinstance(data, dict) else data
    if not isinstance(ballots, list) or not all(_is_result_set(b) for b in ballots):
        raise NotResultSets(NEEDED)
    number = 1
    for ballot in ballots:
        seats = sum(bool(c.get("is_winner")) for c in ballot["candidate_results"])
        for result in ballot["candidate_results"]:
            number += 1
            yield number, _record(ballot["ballot_paper_id"], result, seats)


def _is_result_set(value: Any) -> bool:
    """Return whether a value looks like one ballot's result set."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("ballot_paper_id"), str)
        and isinstance(value.get("candidate_results"), list)
    )


def _record(ballot: str, result: dict[str, Any], seats: int) -> dict[str, str]:
    """Return the CSV export's columns for one candidate's result."""
    member = result.get("membership") or {}
    person = member.get("person") or {}
    party = member.get("on_behalf_of") or {}
    post = member.get("post") or {}
    post_id = str(post.get("id") or "")
    ward = _WARD_GSS.fullmatch(post_id)
    return {
        "person_id": str(person.get("id") or ""),
        "person_name": str(person.get("name") or ""),
        "election_id": str((member.get("election") or {}).get("id") or ""),
        "ballot_paper_id": ballot,
        "election_date": ballot.rpartition(".")[2],
        "election_current": "",
        "party_name": str(party.get("name") or ""),
        "party_id": _party_id(str(party.get("id") or "")),
        "post_label": str(post.get("label") or ""),
        "cancelled_poll": "",
        "seats_contested": str(seats) if seats else "",
        "post_id": post_id,
        "gss": ward.group(1) if ward else "",
        "votes_cast": "" if result.get("num_ballots") is None else str(result["num_ballots"]),
        "elected": "" if result.get("is_winner") is None else str(bool(result["is_winner"])),
    }


def _party_id(api_id: str) -> str:
    """Return the CSV export's party id: `party:53` is `PP53`; joint and YNMP ids stay."""
    found = _PARTY.fullmatch(api_id)
    return f"PP{found.group(1)}" if found else api_id
