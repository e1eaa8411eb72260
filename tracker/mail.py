"""Sending email through the campaign's SMTP server, politely and over TLS.

`SMTP_URL` names the server: `smtp://user:password@host:587` upgrades the connection
with STARTTLS before the password is sent and refuses a server that cannot, and
`smtp+plain://host:25` is for a relay on the same machine. Messages go no faster than
`SMTP_RATE` a second, so a run of thousands does not look like spam to the receivers.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType
from urllib.parse import unquote, urlsplit

TIMEOUT = 30
SCHEMES = {"smtp": True, "smtp+plain": False}  # scheme → STARTTLS required


class MailError(Exception):
    """The mail server cannot be used at all: not set, unreachable, or refused us."""


class Refused(Exception):
    """The server would not take one message (a bad address, say); others may still go."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to connect, read from `SMTP_URL`."""

    host: str
    port: int
    starttls: bool
    username: str | None
    password: str | None
    ca_file: str | None = None


def smtp_settings(url: str | None, *, ca_file: str | None = None) -> SmtpSettings:
    """Read `SMTP_URL`, explaining what is wrong with it."""
    if not url:
        raise MailError("Set SMTP_URL (smtp://user:password@host:587) to send email.")
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise MailError("SMTP_URL must look like smtp://user:password@host:587.")
    try:
        port = parts.port or (587 if SCHEMES[parts.scheme] else 25)
    except ValueError:
        raise MailError("SMTP_URL has a port that is not a number.") from None
    return SmtpSettings(
        host=parts.hostname,
        port=port,
        starttls=SCHEMES[parts.scheme],
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        ca_file=ca_file,
    )


class Throttle:
    """Space calls at least `1 / rate` seconds apart."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1 / rate if rate > 0 else 0.0
        self.clock = clock
        self.sleep = sleep
        self.last: float | None = None

    def wait(self) -> None:
        """Sleep until the next call is allowed."""
        now = self.clock()
        if self.last is not None and now - self.last < self.interval:
            self.sleep(self.interval - (now - self.last))
        self.last = self.clock()


class Mailer:
    """One connection to the server, used as a context manager for a run of messages."""

    def __init__(self, settings: SmtpSettings, *, rate: float) -> None:
        self.settings = settings
        self.throttle = Throttle(rate)
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        self.smtp = self._connect()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        if self.smtp is not None:
            _hang_up(self.smtp)
            self.smtp = None

    def send(self, message: EmailMessage) -> None:
        """Send one message at the allowed rate; raise Refused if the server says no."""
        self.throttle.wait()
        if self.smtp is None:
            raise MailError("The mailer is not connected.")
        try:
            refused = self.smtp.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
            raise Refused(_describe(error)) from error
        except smtplib.SMTPDataError as error:
            raise Refused(f"{error.smtp_code} {_text(error.smtp_error)}") from error
        except (smtplib.SMTPException, OSError) as error:
            raise MailError(f"The mail server stopped answering: {error}") from error
        if refused:
            raise Refused("; ".join(f"{rcpt}: {code}" for rcpt, (code, _) in refused.items()))

    def _connect(self) -> smtplib.SMTP:
        """Connect, upgrade to TLS when required, and sign in when credentials are given."""
        s = self.settings
        try:
            smtp = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT)
        except (smtplib.SMTPException, OSError) as error:
            raise MailError(f"Cannot reach the mail server {s.host}:{s.port}: {error}") from error
        try:
            self._secure_and_sign_in(smtp)
        except BaseException:
            _hang_up(smtp)
            raise
        return smtp

    def _secure_and_sign_in(self, smtp: smtplib.SMTP) -> None:
        """Upgrade to TLS (refusing to go on without it when required), then sign in."""
        s = self.settings
        try:
            smtp.ehlo()
            if s.starttls:
                if not smtp.has_extn("starttls"):
                    raise MailError(f"{s.host} does not offer STARTTLS; refusing to send in clear.")
                smtp.starttls(context=ssl.create_default_context(cafile=s.ca_file))
                smtp.ehlo()
            if s.username:
                smtp.login(s.username, s.password or "")
        except smtplib.SMTPAuthenticationError as error:
            raise MailError(f"{s.host} refused the SMTP_URL credentials.") from error
        except (smtplib.SMTPException, OSError) as error:
            raise MailError(f"Cannot use the mail server {s.host}:{s.port}: {error}") from error


def _hang_up(smtp: smtplib.SMTP) -> None:
    """Say goodbye to the server if it still listens, and close the connection either way."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _describe(error: smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused) -> str:
    """Return the server's reason for refusing, briefly."""
    if isinstance(error, smtplib.SMTPSenderRefused):
        return f"sender refused: {error.smtp_code} {_text(error.smtp_error)}"
    return "; ".join(
        f"{rcpt}: {code} {_text(reason)}" for rcpt, (code, reason) in error.recipients.items()
    )


def _text(value: bytes | str) -> str:
    """Return a server reply as text."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
