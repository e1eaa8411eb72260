"""Emailing an election's pledge links in the background, as an RQ job `tracker worker` runs.

A campaigner asks from the site; at `SMTP_RATE` a second thousands of messages outlast
any request, so a worker sends them. Each outcome is committed as it happens, so the
campaign's links page shows the run's progress and a rerun skips those already sent.
"""

from __future__ import annotations

import logging

from flask import current_app
from redis import Redis
from rq import Queue

log = logging.getLogger(__name__)

MAIL_QUEUE = "mail"
JOB_TIMEOUT = 12 * 60 * 60


def mail_queue() -> Queue | None:
    """Return the mail queue, or None when no Redis is configured."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    return Queue(MAIL_QUEUE, connection=Redis.from_url(url))


def enqueue_election_links(election_id: str, site_url: str) -> bool:
    """Queue the emailing of an election's links; return False if there is no queue."""
    queue = mail_queue()
    if queue is None:
        return False
    queue.enqueue(send_election_links, election_id, site_url, job_timeout=JOB_TIMEOUT)
    log.info("queued the pledge links of %s for emailing", election_id)
    return True


def send_election_links(election_id: str, site_url: str) -> dict[str, int]:
    """Email an election's links (run by an RQ worker); return the outcome counts."""
    from tracker import create_app
    from tracker.db import EXTENSION, get_session, write_intent
    from tracker.invitations import default_expiry
    from tracker.mail import Mailer, smtp_settings
    from tracker.queries.candidates import election_by_id
    from tracker.sending import MailConfig, send_election
    from tracker.views.answer import answer_url

    app = create_app()
    config = app.config
    try:
        with app.app_context(), write_intent():
            session = get_session()
            election = election_by_id(session, election_id)
            if election is None:
                raise LookupError(f"there is no election {election_id!r}")
            settings = smtp_settings(config.get("SMTP_URL"), ca_file=config.get("SMTP_CA_FILE"))
            with Mailer(settings, rate=float(config["SMTP_RATE"])) as mailer:
                report = send_election(
                    session,
                    election,
                    expires_at=default_expiry(election.poll_date),
                    secret_key=config["SECRET_KEY"],
                    link_url=lambda token: answer_url(token, site=site_url),
                    mailer=mailer,
                    mail=MailConfig.from_app(config),
                )
    finally:
        app.extensions[EXTENSION].engine.dispose()  # the job's own connections end with it
    log.info("emailed the pledge links of %s: %s", election_id, report.summary())
    return dict(report.outcomes)
