"""Commands for running the campaign day to day."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import with_appcontext

from tracker.commands.common import writing
from tracker.follow_ups import record_follow_ups
from tracker.models import utcnow
from tracker.text import plural


@click.command("follow-ups")
@with_appcontext
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Pretend today is this date (YYYY-MM-DD).",
)
def follow_ups_command(today: datetime | None) -> None:
    """Mark pledges with no delivery evidence 100 days and a year after the election.

    Run it daily (cron); it only adds what is newly due, and never marks anything broken.
    """
    day = today.date() if today is not None else utcnow().date()
    with writing() as session:
        made = record_follow_ups(session, today=day)
    click.echo(f"{plural(len(made), 'follow-up')} recorded for {day}.")


COMMANDS = (follow_ups_command,)
