"""Pledge Tracker: what local candidates and authorities promised on modern slavery."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from tracker import auth, cli, db, logs, page_cache, security, templating
from tracker.config import ROOT, instance_path, load_config
from tracker.extensions import csrf, htmx
from tracker.pipeline import background
from tracker.views import (
    admin,
    answer,
    api,
    api_write,  # noqa: F401 (importing it adds the API's writes to api.bp)
    authorities,
    badges,
    campaign,
    candidates,
    documents,
    downloads,
    errors,
    feeds,
    health,
    invitations,
    pages,
    parties,
    pledges,
    recommendations,
    review,
    scorecards,
    search,
)
from tracker.views import auth as auth_views


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; tests pass overrides instead of touching the environment."""
    instance = instance_path()
    app = Flask(
        __name__,
        instance_path=str(instance),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(load_config(instance, overrides))
    logs.init_app(app)
    db.init_app(app)
    htmx.init_app(app)
    csrf.init_app(app)
    auth.init_app(app)
    page_cache.init_app(app)
    templating.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    background.init_app(app)
    # The API's writes authenticate with bearer tokens, never cookies, so a forged
    # cross-site request has nothing to ride on: CSRF tokens would add nothing there.
    csrf.exempt(api.bp)
    for module in (
        pages,
        recommendations,
        authorities,
        candidates,
        parties,
        pledges,
        auth_views,
        campaign,
        admin,
        review,
        scorecards,
        documents,
        search,
        badges,
        feeds,
        downloads,
        health,
        api,
        answer,
        invitations,
    ):
        app.register_blueprint(module.bp)
    return app
