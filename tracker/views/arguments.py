"""Query-string filters for the downloads and the API, read the way the pages read them.

Bad values raise BadArgument rather than aborting, so downloads can answer with the
site's error page and the API with a JSON problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from typing import NoReturn, TypeVar

from sqlmodel import Session
from werkzeug.datastructures import MultiDict

from tracker.dbtypes import MAX_INTEGER
from tracker.models import Authority, Delivery, PledgeStatus
from tracker.queries.authorities import (
    AuthorityFilters,
    authority_by_gss,
    authority_by_slug,
    filter_choices,
)
from tracker.queries.candidates import CandidateFilters, election_by_id, person_by_id
from tracker.queries.events import Scope
from tracker.queries.opendata import MAX_LIMIT, SUBJECT_KINDS, PledgeFilters
from tracker.queries.parties import party_by_slug
from tracker.queries.pledges import recommendation_by_slug

Args = MultiDict[str, str]
E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")
GSS_CODE = re.compile(r"[ENSWK]\d{8}")


class BadArgument(ValueError):
    """A query argument that cannot be answered: 400 if malformed, 404 if unknown."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def authority_by_key(session: Session, key: str) -> Authority | None:
    """Return the authority with this GSS code (E08000019) or slug (sheffield)."""
    if GSS_CODE.fullmatch(key):
        return authority_by_gss(session, key)
    return authority_by_slug(session, key)


def scope(session: Session, args: Args) -> Scope:
    """Read whose pledges to follow: recommendation, authority, party and candidate."""
    person = None
    if raw := args.get("candidate", ""):
        person = person_by_id(session, _integer("candidate", raw)) or _unknown("candidate", raw)
    return Scope(
        recommendation=_found(args, "recommendation", lambda v: recommendation_by_slug(session, v)),
        authority=_found(args, "authority", lambda v: authority_by_key(session, v)),
        party=_found(args, "party", lambda v: party_by_slug(session, v)),
        person=person,
    )


def pledge_filters(session: Session, args: Args) -> PledgeFilters:
    """Read the pledge filters: the scope, then status, delivery and kind of subject."""
    kind = args.get("kind") or None
    if kind is not None and kind not in SUBJECT_KINDS:
        raise BadArgument(f"kind must be one of {', '.join(SUBJECT_KINDS)}, not “{kind}”.")
    return PledgeFilters(
        scope=scope(session, args),
        status=_member(args, "status", PledgeStatus),
        delivery=_member(args, "delivery", Delivery),
        kind=kind,
    )


def candidate_filters(session: Session, args: Args) -> CandidateFilters:
    """Read the candidate list's filters: q, authority, party, election and status."""
    return CandidateFilters(
        q=_search(args),
        authority=_found(args, "authority", lambda v: authority_by_key(session, v)),
        party=_found(args, "party", lambda v: party_by_slug(session, v)),
        election=_found(args, "election", lambda v: election_by_id(session, v)),
        status=_member(args, "status", PledgeStatus),
    )


def authority_filters(session: Session, args: Args) -> AuthorityFilters:
    """Read the authority list's filters: q, nation, region and type."""
    choices = filter_choices(session)
    return AuthorityFilters(
        q=_search(args),
        nation=_choice(args, "nation", choices.nations),
        region=_choice(args, "region", choices.regions),
        kind=_choice(args, "type", [kind for kind, _ in choices.kinds]),
    )


def limit(args: Args, *, default: int = 50) -> int:
    """Read how many results a page of the API should hold (1 to MAX_LIMIT)."""
    raw = args.get("limit", "")
    if not raw:
        return default
    value = _integer("limit", raw)
    if not 1 <= value <= MAX_LIMIT:
        raise BadArgument(f"limit must be between 1 and {MAX_LIMIT}, not {value}.")
    return value


def after_id(args: Args) -> int | None:
    """Read the `after` cursor of a list ordered by a numeric id."""
    raw = args.get("after", "")
    return _integer("after", raw) if raw else None


def _found(args: Args, name: str, lookup: Callable[[str], T | None]) -> T | None:
    """Return the row an argument names, None if it is absent; BadArgument if unknown."""
    raw = args.get(name, "")
    if not raw:
        return None
    return lookup(raw) or _unknown(name, raw)


def _member(args: Args, name: str, enum: type[E]) -> E | None:
    """Return an argument as a member of `enum`, None if absent."""
    raw = args.get(name, "")
    if not raw:
        return None
    values = [member.value for member in enum]
    if raw not in values:
        raise BadArgument(f"{name} must be one of {', '.join(values)}, not “{raw}”.")
    return enum(raw)


def _choice(args: Args, name: str, allowed: list[str]) -> str | None:
    """Return an argument if the data holds that value."""
    raw = args.get(name, "")
    if raw and raw not in allowed:
        _unknown(name, raw)
    return raw or None


def _integer(name: str, raw: str) -> int:
    """Return an argument as a whole number from 0 to the largest id the database holds."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12 or int(raw) > MAX_INTEGER:
        raise BadArgument(f"{name} must be a whole number up to {MAX_INTEGER}, not “{raw}”.")
    return int(raw)


def _search(args: Args) -> str:
    """Return the `q` argument trimmed to a sensible length, as the pages do."""
    return " ".join(args.get("q", "").split())[:100]


def _unknown(name: str, value: str) -> NoReturn:
    """Refuse a filter value the data does not contain, saying which."""
    raise BadArgument(f"There is no {name} called “{value}”.", status=404)
