"""The `tracker` command: Flask's own commands plus the project's (tracker/commands/)."""

from __future__ import annotations

from flask import Flask
from flask.cli import FlaskGroup

from tracker.commands import accounts, campaign, data, invitations, matcher, scraping


def main() -> None:
    """Run the `tracker` console script."""
    from tracker import create_app

    FlaskGroup(create_app=lambda: create_app(), help="Pledge Tracker's command line.")()


def init_app(app: Flask) -> None:
    """Register the project's commands on the app's CLI."""
    for module in (data, accounts, scraping, campaign, matcher, invitations):
        for command in module.COMMANDS:
            app.cli.add_command(command)
