"""Settings read from the environment, with safe defaults for a single machine."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
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
    config: dict[str, Any] = {
        "DATABASE_URL": env.get("DATABASE_URL") or f"sqlite:///{instance / 'tracker.db'}",
        "PER_PAGE": 50,
    }
    config.update(overrides)
    if "SECRET_KEY" not in config:
        config["SECRET_KEY"] = env.get("SECRET_KEY") or _install_secret(instance)
    return config


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
