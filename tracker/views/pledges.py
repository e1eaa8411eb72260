"""Editing a pledge in place, and its public history.

Each pledge row has its own URLs under its subject (`/candidates/<id>/pledges/<slug>`,
`/authorities/<slug>/pledges/<slug>`). With htmx the row swaps itself; without
JavaScript the same form posts and the server answers 303 with a flash message.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from werkzeug.wrappers import Response

from tracker.auth import editor_named, role_required, signed_in
from tracker.conflicts import ComparedField, compare, digests, pledge_values
from tracker.db import get_session
from tracker.demo import shown_name
from tracker.extensions import htmx
from tracker.forms import PledgeForm
from tracker.models import Authority, Person, Pledge, Recommendation, Role
from tracker.pledging import InvalidPledge, StaleEdit, Subject, find_pledge, save_pledge
from tracker.queries.pledges import last_change, pledge_history
from tracker.views.answer_panels import panels_of
from tracker.views.lookups import get_authority, get_person, get_pledge, get_recommendation

bp = Blueprint("pledges", __name__)
F = TypeVar("F", bound=Callable[..., Any])

CANDIDATE = "/candidates/<int:key>/pledges/<slug>"
AUTHORITY = "/authorities/<key>/pledges/<slug>"


@dataclass(frozen=True)
class PledgeSlot:
    """One subject's place for a pledge on one recommendation, recorded or not."""

    subject: Subject
    owner: Person | Authority
    kind: str
    key: int | str
    name: str
    page_url: str
    recommendation: Recommendation
    pledge: Pledge | None

    @property
    def dom_id(self) -> str:
        """Return the row's element id, stable across swaps."""
        return f"pledge-{self.kind}-{self.key}-{self.recommendation.slug}"

    def url(self, endpoint: str) -> str:
        """Return the URL of one of this slot's routes."""
        return url_for(
            f"pledges.{endpoint}_{self.kind}", key=self.key, slug=self.recommendation.slug
        )


def person_slots(
    person: Person, pledges: Iterable[tuple[Recommendation, Pledge | None]]
) -> list[PledgeSlot]:
    """Return a candidate's five pledge slots for their page."""
    page = url_for("candidates.detail", person_id=person.id, slug=person.slug)
    subject = Subject(person_id=person.id)
    return [
        PledgeSlot(subject, person, "candidate", person.id, shown_name(person), page, rec, pledge)
        for rec, pledge in pledges
    ]


def authority_slots(
    authority: Authority, pledges: Iterable[tuple[Recommendation, Pledge | None]]
) -> list[PledgeSlot]:
    """Return an authority's five pledge slots for its page."""
    page, name = url_for("authorities.detail", slug=authority.slug), shown_name(authority)
    subject = Subject(authority_id=authority.id)
    return [
        PledgeSlot(subject, authority, "authority", authority.slug, name, page, rec, pledge)
        for rec, pledge in pledges
    ]


def load_slot(kind: str, key: int | str, slug: str) -> PledgeSlot:
    """Find the subject and recommendation named in the URL, or answer 404."""
    session = get_session()
    recommendation = get_recommendation(slug)
    if kind == "candidate":
        person = get_person(int(key))
        subject = Subject(person_id=person.id)
        pledge = find_pledge(session, subject, recommendation.id)
        return person_slots(person, [(recommendation, pledge)])[0]
    authority = get_authority(str(key))
    pledge = find_pledge(session, Subject(authority_id=authority.id), recommendation.id)
    return authority_slots(authority, [(recommendation, pledge)])[0]


def _routes(rule: str, kind: str, **options: Any) -> Callable[[F], F]:
    """Register a view under one subject kind's URL, with its own endpoint name."""

    def register(view: F) -> F:
        bp.add_url_rule(rule, f"{view.__name__}_{kind}", view, defaults={"kind": kind}, **options)
        return view

    return register


@_routes(CANDIDATE, "candidate", methods=["GET"])
@_routes(AUTHORITY, "authority", methods=["GET"])
def row(kind: str, key: int | str, slug: str) -> Response | str:
    """Show one pledge row (htmx cancels an edit with this); pages redirect to the subject."""
    slot = load_slot(kind, key, slug)
    if not htmx:
        return redirect(f"{slot.page_url}#{slot.dom_id}", 303)
    return render_template("pledges/_row.html", slot=slot)


@_routes(CANDIDATE + "/edit", "candidate", methods=["GET"])
@_routes(AUTHORITY + "/edit", "authority", methods=["GET"])
@role_required(Role.CAMPAIGNER)
def edit(kind: str, key: int | str, slug: str) -> str:
    """Show the edit form: as a table row for htmx, as a page without JavaScript."""
    slot = load_slot(kind, key, slug)
    form = PledgeForm(
        obj=slot.pledge,
        version=slot.pledge.version if slot.pledge else 0,
        base=digests(pledge_values(slot.pledge)),
    )
    return _render_form(slot, form)


@_routes(CANDIDATE, "candidate", methods=["POST"])
@_routes(AUTHORITY, "authority", methods=["POST"])
@role_required(Role.CAMPAIGNER)
def save(kind: str, key: int | str, slug: str) -> Response | tuple[str, int] | str:
    """Save an edit; refuse it with 409 and both versions if someone saved first."""
    slot = load_slot(kind, key, slug)
    form = PledgeForm()
    if not form.validate():
        return _render_form(slot, form), 422
    account = signed_in()
    session = get_session()
    try:
        pledge, _ = save_pledge(
            session,
            slot.subject,
            slot.recommendation.id,
            form.change(),
            expected_version=form.version.data,
            actor_id=account.id if account else None,
            current=slot.pledge,
        )
    except InvalidPledge as invalid:
        for field, message in invalid.errors.items():
            getattr(form, field).errors.append(message)
        return _render_form(slot, form), 422
    except StaleEdit as stale:
        session.rollback()
        return _render_form(slot, form, conflict=_conflict(form, stale.current)), 409
    session.commit()
    # The version moves on any save, the internal note's alone included (which logs no event).
    message = _saved_message(
        slot, changed=pledge is not None and pledge.version != form.version.data
    )
    if not htmx:
        flash(message, "success")
        return redirect(f"{slot.page_url}#{slot.dom_id}", 303)
    # Sections that read the answers (the summary, the ask) follow the row, out of band.
    response = make_response(
        render_template(
            "pledges/_saved.html",
            slot=replace(slot, pledge=pledge),
            panels=panels_of(session, slot.owner),
        )
    )
    response.headers["HX-Trigger"] = htmx_message(message)
    return response


@bp.get("/pledges/<int:pledge_id>/history")
def history(pledge_id: int) -> str:
    """Show every change to a pledge with its sources, oldest first."""
    session = get_session()
    pledge = get_pledge(pledge_id)
    account = signed_in()
    return render_template(
        "pledges/history.html",
        pledge=pledge,
        recommendation=session.get_one(Recommendation, pledge.recommendation_id),
        person=session.get(Person, pledge.person_id) if pledge.person_id else None,
        authority=session.get(Authority, pledge.authority_id) if pledge.authority_id else None,
        events=pledge_history(session, pledge_id),
        show_editors=account is not None and account.sees_editors,
        show_internal=account is not None and account.can(Role.CAMPAIGNER),
    )


@dataclass(frozen=True)
class Conflict:
    """The version saved meanwhile, who saved it and when, and how it differs."""

    current: Pledge
    fields: list[ComparedField]
    saved_by: str
    saved_at: datetime | None


def _conflict(form: PledgeForm, current: Pledge) -> Conflict:
    """Compare a refused edit with the saved pledge, and refill the form for a re-save.

    The form then holds what "save mine instead" writes: the editor's changes over the
    saved version, with the saved values wherever the editor changed nothing.
    """
    theirs = pledge_values(current)
    fields = compare(form.base.data, form.change().values(), theirs)
    form.show({f.name: f.yours for f in fields})
    form.version.data = current.version
    form.base.data = digests(theirs)
    return Conflict(current, fields, _saved_by(current), current.updated_at)


def _saved_by(current: Pledge) -> str:
    """Name who saved the current version, as far as the reader may know it."""
    found = last_change(get_session(), current.id) if current.id else None
    if found is None or found[0].version != current.version:
        return "Someone"  # a change to the internal note alone leaves no event
    return editor_named(found[1])


def _render_form(slot: PledgeSlot, form: PledgeForm, conflict: Conflict | None = None) -> str:
    """Render the edit form as a row (htmx) or as a page of its own."""
    template = "pledges/_edit_row.html" if htmx else "pledges/edit.html"
    return render_template(template, slot=slot, form=form, conflict=conflict)


def _saved_message(slot: PledgeSlot, *, changed: bool) -> str:
    """Say what happened, naming the subject and recommendation."""
    if not changed:
        return f"No changes to save for {slot.name}."
    return f"Saved {slot.name}: {slot.recommendation.title}."


def htmx_message(message: str) -> str:
    """Return an HX-Trigger header value that shows `message` in the page's status area."""
    return json.dumps({"tracker:message": {"value": message}})
