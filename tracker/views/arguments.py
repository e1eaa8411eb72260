"""Query-string filters: one reader per resource, shared by its page, download and API.

A link copied from one of the three works in the others, because all read it here. Bad
values raise BadArgument rather than aborting, so pages and downloads answer with the
site's error page (tracker.views.errors) and the API with a JSON problem.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import partial
from typing import NoReturn, TypeVar, overload

from sqlmodel import Session
from werkzeug.datastructures import MultiDict

from tracker.dbtypes import MAX_INTEGER
from tracker.models import Authority, Delivery, PledgeStatus, Recommendation
from tracker.queries.authorities import (
    AuthorityFilters,
    FilterChoices,
    authority_by_key,
    filter_choices,
)
from tracker.queries.candidates import CandidateFilters, election_by_id, person_by_id
from tracker.queries.documents import FIRST_YEAR, LAST_YEAR, MAX_QUERY, DocumentFilters
from tracker.queries.events import Scope
from tracker.queries.opendata import MAX_LIMIT, SUBJECT_KINDS, PledgeFilters
from tracker.queries.parties import party_by_slug
from tracker.queries.pledges import recommendation_by_slug
from tracker.queries.search import authorities_named, council_first, places_named

Args = MultiDict[str, str]
E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")


class BadArgument(ValueError):
    """A query argument that cannot be answered: 400 if malformed, 404 if unknown."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


MAX_SUGGESTIONS = 5


def named_authority(session: Session, args: Args) -> Authority | None:
    """Read the `authority` argument: a name, slug, GSS code or mySociety code."""
    raw = args.get("authority", "").strip()
    return authority_called(session, raw) if raw else None


def authority_called(session: Session, text: str) -> Authority:
    """Return the authority a person named: by slug, GSS or mySociety code, or by name.

    A name may be any spelling the data knows, in any case ("hertfordshire"); one shared
    by a council and its police area means the council. A name that could mean several
    authorities, or none, is refused with the ones it might mean, so the person can
    choose.
    """
    found = authority_by_key(session, text)
    if found is not None:
        return found
    named = authorities_named(session, text)
    if (one := council_first(named)) is not None:
        return one
    if named:
        raise BadArgument(f"“{text}” could be {_either(named)}. Give the full name of one.")
    alike = [f.authority for f in places_named(session, text)][:MAX_SUGGESTIONS]
    hint = f" Did you mean {_either(alike)}?" if alike else ""
    raise BadArgument(f"There is no authority called “{text}”.{hint}", status=404)


def named_recommendation(session: Session, args: Args) -> Recommendation | None:
    """Read the `recommendation` argument, a recommendation's slug."""
    return _found(args, "recommendation", partial(recommendation_by_slug, session))


def scope(session: Session, args: Args) -> Scope:
    """Read whose pledges to follow: recommendation, authority, party and candidate."""
    person = None
    if raw := args.get("candidate", ""):
        person = person_by_id(session, _integer("candidate", raw)) or _unknown("candidate", raw)
    return Scope(
        recommendation=named_recommendation(session, args),
        authority=named_authority(session, args),
        party=_found(args, "party", partial(party_by_slug, session)),
        person=person,
    )


def pledge_filters(session: Session, args: Args) -> PledgeFilters:
    """Read the pledge filters: the scope, then status, delivery and kind of subject."""
    kind = args.get("kind") or None
    if kind is not None and kind not in SUBJECT_KINDS:
        raise BadArgument(f"kind must be one of {', '.join(SUBJECT_KINDS)}, not “{kind}”.")
    return PledgeFilters(
        scope=scope(session, args),
        status=pledge_status(args),
        delivery=_member(args, "delivery", Delivery),
        kind=kind,
    )


def candidate_filters(session: Session, args: Args) -> CandidateFilters:
    """Read the candidate list's filters: q, authority, party, election and status."""
    return CandidateFilters(
        q=search_text(args),
        authority=named_authority(session, args),
        party=_found(args, "party", partial(party_by_slug, session)),
        election=_found(args, "election", partial(election_by_id, session)),
        status=pledge_status(args),
    )


def authority_filters(args: Args, choices: FilterChoices) -> AuthorityFilters:
    """Read the authority list's filters: q, nation, region and type, each one the data has."""
    return AuthorityFilters(
        q=search_text(args),
        nation=choice(args, "nation", choices.nations),
        region=choice(args, "region", choices.regions),
        kind=choice(args, "type", [kind for kind, _ in choices.kinds]),
    )


def document_filters(session: Session, args: Args) -> DocumentFilters:
    """Read the document list's filters: q (a search), authority, type, region and year."""
    choices = filter_choices(session)
    return DocumentFilters(
        q=search_text(args, limit=MAX_QUERY),
        authority=named_authority(session, args),
        kind=choice(args, "type", [code for code, _ in choices.kinds]),
        region=choice(args, "region", choices.regions),
        year=year(args),
    )


def year(args: Args) -> int | None:
    """Read the `year` argument, a four-digit year from FIRST_YEAR to LAST_YEAR."""
    raw = args.get("year", "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or not FIRST_YEAR <= int(raw) <= LAST_YEAR:
        raise BadArgument(
            f"year must be a year from {FIRST_YEAR} to {LAST_YEAR}, such as 2024, not “{raw}”."
        )
    return int(raw)


def pledge_status(args: Args) -> PledgeStatus | None:
    """Read the `status` argument, an answer to a recommendation."""
    return _member(args, "status", PledgeStatus)


@overload
def choice(args: Args, name: str, allowed: list[str]) -> str | None: ...
@overload
def choice(args: Args, name: str, allowed: list[str], *, default: str) -> str: ...
def choice(args: Args, name: str, allowed: list[str], *, default: str | None = None) -> str | None:
    """Return an argument (or `default` when it is absent) if the data holds that value."""
    raw = args.get(name, "") or default
    if raw is not None and raw not in allowed:
        _unknown(name, raw)
    return raw


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


def _integer(name: str, raw: str) -> int:
    """Return an argument as a whole number from 0 to the largest id the database holds."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12 or int(raw) > MAX_INTEGER:
        raise BadArgument(f"{name} must be a whole number up to {MAX_INTEGER}, not “{raw}”.")
    return int(raw)


def search_text(args: Args, *, limit: int = 100) -> str:
    """Return the `q` argument with its spacing tidied, cut to a sensible length."""
    return " ".join(args.get("q", "").split())[:limit]


def _unknown(name: str, value: str) -> NoReturn:
    """Refuse a filter value the data does not contain, saying which."""
    raise BadArgument(f"There is no {name} called “{value}”.", status=404)


def _either(authorities: list[Authority]) -> str:
    """Name the authorities as a choice: “A”, “B” or “C”."""
    names = [f"“{a.name}”" for a in authorities]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
