"""Pledge Tracker: what local candidates and authorities promised on modern slavery."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from tracker import cli, db, security, templating
from tracker.config import ROOT, instance_path, load_config
from tracker.extensions import htmx
from tracker.views import authorities, candidates, errors, pages, parties, recommendations


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
    db.init_app(app)
    htmx.init_app(app)
    templating.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    for module in (pages, recommendations, authorities, candidates, parties):
        app.register_blueprint(module.bp)
    return app
