"""`tracker pledge-links`: make, list and email candidates' and authorities' pledge links."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime, time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlmodel import Session

from tracker.commands.common import writing
from tracker.db import get_session
from tracker.exports import cell
from tracker.invitations import (
    InvitationError,
    IssuedLink,
    default_expiry,
    issue_link,
    live_invitation,
)
from tracker.mail import Mailer, MailError, smtp_settings
from tracker.models import Election, utcnow
from tracker.pledging import Subject
from tracker.queries.authorities import authority_by_slug
from tracker.queries.candidates import election_by_id, person_by_id
from tracker.queries.invitations import (
    due_reminders,
    election_candidates,
    latest_election_of_authority,
    latest_election_of_person,
)
from tracker.sending import (
    MailConfig,
    SendReport,
    send_election,
    send_links,
    send_reminders,
)
from tracker.text import plural
from tracker.views.answer import answer_url

CSV_COLUMNS = ("person_id", "name", "party", "ward", "email", "link", "expires")


@click.command("pledge-links")
@with_appcontext
@click.option("--person", "person_id", type=int, help="A candidate's Democracy Club person id.")
@click.option("--authority", "authority_slug", metavar="SLUG", help="An authority's slug.")
@click.option("--election", "election_id", metavar="ID", help="Every candidate of an election.")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the election's links to FILE for a mail merge.",
)
@click.option(
    "--expires",
    type=click.DateTime(["%Y-%m-%d"]),
    help="When the links stop working (default: 30 days after the election).",
)
@click.option(
    "--candidates",
    is_flag=True,
    help="With --authority: every candidate of its newest election, not the authority.",
)
@click.option("--send", is_flag=True, help="Email the links through SMTP_URL instead.")
@click.option("--remind", is_flag=True, help="Email reminders of links expiring within a week.")
def pledge_links_command(
    person_id: int | None,
    authority_slug: str | None,
    election_id: str | None,
    csv_path: Path | None,
    expires: datetime | None,
    candidates: bool,
    send: bool,
    remind: bool,
) -> None:
    """Print a subject's personal pledge link, or make every candidate's in an election.

    --election ID (or --authority SLUG --candidates) makes one link per candidate: printed,
    written to --csv FILE for a mail merge, or emailed with --send. --remind, run daily,
    emails a new link a week before expiry to those who have not answered.

    Making a link replaces any earlier one for the same subject and election, which stops
    working; --send skips those already emailed, so their link stands.
    """
    if not current_app.config.get("SITE_URL"):
        raise click.ClickException(
            "Set SITE_URL to the site's address (https://tracker.example.org): links need it."
        )
    if candidates:
        if authority_slug is None or person_id is not None or election_id is not None:
            raise click.UsageError("--candidates goes with --authority alone.")
        election_id, authority_slug = _newest_election_id(authority_slug), None
    chosen = [v for v in (person_id, authority_slug, election_id) if v is not None]
    if remind:
        if chosen or send or csv_path:
            raise click.UsageError("--remind runs alone: it reminds everyone who is due.")
        send_reminder_emails()
        return
    if len(chosen) != 1:
        raise click.UsageError("Give exactly one of --person, --authority or --election.")
    if csv_path and (send or not election_id):
        raise click.UsageError("--csv writes an election's links: give --election, not --send.")
    if send:
        send_link_emails(person_id, authority_slug, election_id, expires)
        return
    with writing() as session:
        if election_id is not None:
            _election_links(session, election_id, expires, csv_path)
        else:
            issued = _one_link(session, person_id, authority_slug, expires)
            click.echo(answer_url(issued.token))


def _newest_election_id(authority_slug: str) -> str:
    """Return the Democracy Club id of the newest election an authority held."""
    session = get_session()
    _, election = subject_and_election(session, None, authority_slug)
    if election is None:
        raise click.BadParameter(
            f"no election is known for {authority_slug!r}", param_hint="--authority"
        )
    return election.election_id


def resolve_election(session: Session, election_id: str) -> Election:
    """Return the election with this Democracy Club id, or explain there is none."""
    election = election_by_id(session, election_id)
    if election is None:
        raise click.BadParameter(f"there is no election {election_id!r}", param_hint="--election")
    return election


def expiry(election: Election | None, expires: datetime | None) -> datetime:
    """Return when links expire: the date given (end of day), else 30 days after the election."""
    if expires is not None:
        return datetime.combine(expires.date(), time(23, 59, 59), UTC)
    if election is None:
        raise click.UsageError("No election is known for this subject: give --expires YYYY-MM-DD.")
    return default_expiry(election.poll_date)


def subject_and_election(
    session: Session, person_id: int | None, authority_slug: str | None
) -> tuple[Subject, Election | None]:
    """Resolve --person or --authority, with the newest election they stood in or held."""
    if person_id is not None:
        person = person_by_id(session, person_id)
        if person is None:
            raise click.BadParameter(f"there is no candidate {person_id}", param_hint="--person")
        return Subject(person_id=person.id), latest_election_of_person(session, person.id)
    authority = authority_by_slug(session, authority_slug or "")
    if authority is None:
        raise click.BadParameter(
            f"there is no authority {authority_slug!r}", param_hint="--authority"
        )
    election = latest_election_of_authority(session, authority.id)
    return Subject(authority_id=authority.id), election


def make_link(
    session: Session, subject: Subject, election: Election | None, expires_at: datetime
) -> IssuedLink:
    """Issue a link, turning a refusal into a command-line error."""
    try:
        return issue_link(
            session,
            subject,
            election=election,
            expires_at=expires_at,
            secret_key=current_app.config["SECRET_KEY"],
        )
    except InvitationError as error:
        raise click.ClickException(str(error)) from error


def _one_link(
    session: Session, person_id: int | None, authority_slug: str | None, expires: datetime | None
) -> IssuedLink:
    """Make one subject's link."""
    subject, election = subject_and_election(session, person_id, authority_slug)
    return make_link(session, subject, election, expiry(election, expires))


def _election_links(
    session: Session, election_id: str, expires: datetime | None, csv_path: Path | None
) -> None:
    """Make every candidate's link in an election; print them, or write them as CSV."""
    election = resolve_election(session, election_id)
    expires_at = expiry(election, expires)
    rows = []
    for standing in election_candidates(session, election):
        issued = make_link(session, Subject(person_id=standing.person.id), election, expires_at)
        rows.append(
            {
                "person_id": standing.person.id,
                "name": standing.person.name,
                "party": standing.party_name,
                "ward": standing.post_label,
                "email": standing.person.email or "",
                "link": answer_url(issued.token),
                "expires": f"{expires_at:%Y-%m-%d}",
            }
        )
    if csv_path is None:
        for row in rows:
            click.echo(f"{row['person_id']}\t{row['name']}\t{row['link']}")
        return
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows({key: cell(value) for key, value in row.items()} for row in rows)
    click.echo(f"Wrote {plural(len(rows), 'link')} to {csv_path}.")


def send_link_emails(
    person_id: int | None,
    authority_slug: str | None,
    election_id: str | None,
    expires: datetime | None,
) -> None:
    """Email new links to a subject or an election's candidates, with a progress bar."""
    secret_key = current_app.config["SECRET_KEY"]
    with writing() as session:
        if election_id is not None:
            election = resolve_election(session, election_id)
            expires_at = expiry(election, expires)
            count = len(election_candidates(session, election))
            session.commit()
            report = _mail_run(
                count,
                lambda mailer, mail, progress: send_election(
                    session,
                    election,
                    expires_at=expires_at,
                    secret_key=secret_key,
                    link_url=answer_url,
                    mailer=mailer,
                    mail=mail,
                    progress=progress,
                ),
            )
        else:
            subject, one = subject_and_election(session, person_id, authority_slug)
            until = expiry(one, expires)
            session.commit()
            report = _mail_run(
                1,
                lambda mailer, mail, progress: send_links(
                    session,
                    [(subject, one)],
                    make_link=lambda s, e: make_link(session, s, e, until),
                    link_url=answer_url,
                    mailer=mailer,
                    mail=mail,
                    progress=progress,
                ),
            )
    _print_report(report)


def send_reminder_emails() -> None:
    """Email a new link to everyone whose link expires within a week and has not answered."""
    with writing() as session:
        due = due_reminders(session, now=utcnow())
        session.commit()
        report = _mail_run(
            len(due),
            lambda mailer, mail, progress: send_reminders(
                session,
                due,
                make_link=lambda s, e: make_link(session, s, e, _expiry_of(session, s, e)),
                link_url=answer_url,
                mailer=mailer,
                mail=mail,
                progress=progress,
            ),
        )
    _print_report(report)


def _expiry_of(session: Session, subject: Subject, election: Election | None) -> datetime:
    """Return when the subject's live link expires (a reminder's link keeps that date)."""
    live = live_invitation(session, subject, election=election, now=utcnow())
    if live is None:
        raise click.ClickException("A link due a reminder stopped working during the run.")
    return live.expires_at


def _mail_run(
    count: int, run: Callable[[Mailer, MailConfig, Callable[[str], None]], SendReport]
) -> SendReport:
    """Connect to SMTP_URL and run the sends behind a progress bar; explain failures."""
    config = current_app.config
    try:
        mail = MailConfig.from_app(config)
        settings = smtp_settings(config.get("SMTP_URL"), ca_file=config.get("SMTP_CA_FILE"))
        with (
            Mailer(settings, rate=float(config["SMTP_RATE"])) as mailer,
            click.progressbar(
                length=count, label="Emails", show_pos=True, item_show_func=lambda s: s
            ) as bar,
        ):
            return run(mailer, mail, lambda outcome: bar.update(1, outcome))
    except (MailError, InvitationError) as error:
        raise click.ClickException(str(error)) from error


def _print_report(report: SendReport) -> None:
    """Print the run's outcome counts and each refusal."""
    click.echo(f"Emails: {report.summary()}.")
    for problem in report.problems:
        click.echo(f"  ! {problem}", err=True)


COMMANDS = (pledge_links_command,)
