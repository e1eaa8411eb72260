"""Settings read from the environment, with safe defaults for a single machine."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def instance_path() -> Path:
    """Return the folder for this install's own files (database, secret key)."""
    return Path(os.environ.get("TRACKER_INSTANCE", ROOT / "instance")).resolve()


def load_config(instance: Path, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Build the app's settings: overrides first, then the environment, then defaults."""
    overrides = dict(overrides or {})
    env = os.environ
    redis_url = env.get("REDIS_URL") or None
    config: dict[str, Any] = {
        "DATABASE_URL": env.get("DATABASE_URL") or f"sqlite:///{instance / 'tracker.db'}",
        "PER_PAGE": 50,
        "REDIS_URL": redis_url,
        # Drawn pages live in Redis under this prefix (by default one named for the database).
        "PAGE_CACHE_PREFIX": env.get("PAGE_CACHE_PREFIX") or None,
        # Failed sign-ins (tracker.login_throttle): a growing delay per account and address
        # after a few, and 429 for a flood from one address or at one account.
        "LOGIN_FREE_FAILURES": int(env.get("LOGIN_FREE_FAILURES", "3")),
        "LOGIN_DELAY_MAX": float(env.get("LOGIN_DELAY_MAX", "900")),
        "LOGIN_FORGET_AFTER": float(env.get("LOGIN_FORGET_AFTER", "3600")),
        "LOGIN_LIMIT_ADDRESS": env.get("LOGIN_LIMIT_ADDRESS", "20 per 15 minutes"),
        "LOGIN_LIMIT_ACCOUNT": env.get("LOGIN_LIMIT_ACCOUNT", "100 per hour"),
        # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host;
        # 0 trusts none of those headers (the app faces clients directly).
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        # Tokens live as long as the session, which ends after 30 idle minutes anyway.
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
        # Campaigners' sessions: ended after 30 idle minutes, never sent cross-site, and
        # (unless debugging, see tracker.auth) only over HTTPS.
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=30),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag(env.get("SESSION_COOKIE_SECURE")),
        "REMEMBER_COOKIE_DURATION": timedelta(0),
        # The `tag:` URI authority of feed entry ids. Set it once, to a domain or email the
        # campaign controls, before feeds are published: changing it changes every id.
        "FEED_TAG_AUTHORITY": env.get("FEED_TAG_AUTHORITY") or "pledge-tracker.invalid,2024",
        "FEED_ENTRIES": 50,
        # JSON-lines logging (tracker.logs): the level of the app's own loggers.
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO").upper(),
        # Error reports go to Sentry only when a DSN is set.
        "SENTRY_DSN": env.get("SENTRY_DSN") or None,
        # Hosts the scraper may fetch from although they are private (tests, local runs).
        "SCRAPER_ALLOW_HOSTS": [h for h in env.get("SCRAPER_ALLOW_HOSTS", "").split(",") if h],
        "SCRAPER_MIN_INTERVAL": float(env.get("SCRAPER_MIN_INTERVAL", "1.0")),
        "SCRAPER_WORKERS": int(env.get("SCRAPER_WORKERS", "16")),
        # Seconds one fetch may take in all (connect, headers, body, retries and redirects).
        "SCRAPER_DEADLINE": float(env.get("SCRAPER_DEADLINE", "300")),
        "SCRAPER_EXTRACTORS": int(env.get("SCRAPER_EXTRACTORS", str(os.cpu_count() or 1))),
        # Without REDIS_URL, threads in each web process that read submitted documents
        # (tracker.pipeline.background); 0 leaves them for the next scrape.
        "SUBMITTED_READERS": int(env.get("SUBMITTED_READERS", "1")),
        **_link_settings(env),
    }
    config.update(overrides)
    if "SECRET_KEY" not in config:
        config["SECRET_KEY"] = env.get("SECRET_KEY") or _install_secret(instance)
    return config


def _link_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """Read the settings of personal pledge links and of emailing them."""
    campaign = env.get("CAMPAIGN_EMAIL") or None
    return {
        # Where links point (the command line has no request to take the host from).
        "SITE_URL": (env.get("SITE_URL") or "").rstrip("/") or None,
        # The campaign's own address: replies, the Cc of residents' asks, unsubscribing.
        "CAMPAIGN_EMAIL": campaign,
        "MAIL_FROM": env.get("MAIL_FROM") or campaign,
        "UNSUBSCRIBE_EMAIL": env.get("UNSUBSCRIBE_EMAIL") or campaign,
        # smtp://user:password@host:587 (STARTTLS, required) or smtp+plain://host:25.
        "SMTP_URL": env.get("SMTP_URL") or None,
        "SMTP_CA_FILE": env.get("SMTP_CA_FILE") or None,
        "SMTP_RATE": float(env.get("SMTP_RATE", "2")),  # messages a second, at most
        "ANSWER_LIMIT_LINK": env.get("ANSWER_LIMIT_LINK", "10 per hour"),
        "ANSWER_LIMIT_ADDRESS": env.get("ANSWER_LIMIT_ADDRESS", "30 per hour"),
    }


def _flag(value: str | None) -> bool | None:
    """Read an on/off setting; None when it is not set."""
    if value is None or value == "":
        return None
    return value.strip().lower() in ("1", "true", "yes", "on")


def _install_secret(instance: Path) -> str:
    """Return this install's random secret key, creating it on first use.

    A constant default would let anyone forge sessions on every install that kept it.
    """
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
