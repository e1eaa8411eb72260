"""Template globals and filters shared by every page."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, request, url_for
from sqlalchemy.exc import SQLAlchemyError

from tracker.auth import signed_in
from tracker.authority_types import TYPE_NAMES, type_name
from tracker.charts import BarRow, stacked_bars, timeline
from tracker.db import get_session
from tracker.demo import shown_name
from tracker.models import Delivery, Person, PledgeStatus, Role
from tracker.queries.pledges import has_demo_data
from tracker.review import document_name, plan_has_ended, source_link
from tracker.text import (
    document_format,
    document_slug,
    is_web_url,
    long_date,
    noun_for,
    plural,
    these,
)

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Register the filters and the per-request context."""
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters.update(
        status_label=status_label,
        delivery_label=delivery_label,
        long_date=long_date,
        number=number,
        document_format=document_format,
        type_name=type_name,
        plural=plural,
        noun_for=noun_for,
        these=these,
        shown_name=shown_name,
    )
    app.jinja_env.globals.update(
        candidate_url=candidate_url,
        url_with=url_with,
        PledgeStatus=PledgeStatus,
        Delivery=Delivery,
        Role=Role,
        source_link=source_link,
        document_name=document_name,
        plan_has_ended=plan_has_ended,
        stacked_bars=stacked_bars,
        timeline=timeline,
        BarRow=BarRow,
        document_slug=document_slug,
        TYPE_NAMES=TYPE_NAMES,
    )
    app.jinja_env.tests["web_url"] = is_web_url
    app.context_processor(_site_context)


def _site_context() -> dict[str, Any]:
    """Tell every page whether fictional demonstration data is loaded.

    Error pages render through here too, so a database failure must not raise again.
    """
    try:
        return {"demo_loaded": has_demo_data(get_session()), "account": signed_in()}
    except SQLAlchemyError:
        log.warning("could not check for demonstration data", exc_info=True)
        return {"demo_loaded": False, "account": None}


def status_label(value: str) -> str:
    """Return the site's wording for a pledge status."""
    return PledgeStatus(value).label


def delivery_label(value: str) -> str:
    """Return the site's wording for a delivery rating."""
    return Delivery(value).label


def number(value: int) -> str:
    """Format a count with thousands separators."""
    return f"{value:,}"


def candidate_url(person: Person | None = None, *, person_id: int = 0, slug: str = "") -> str:
    """Return a candidate's canonical page address."""
    if person is not None:
        person_id, slug = person.id, person.slug
    return url_for("candidates.detail", person_id=person_id, slug=slug)


def url_with(**changes: Any) -> str:
    """Return this page's address with some query arguments changed or removed (None)."""
    args: dict[str, Any] = {**(request.view_args or {}), **request.args.to_dict()}
    for key, value in changes.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint or "pages.home", **args)
