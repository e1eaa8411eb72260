"""The `tracker` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from flask.testing import FlaskCliRunner

TRACKER = Path(sys.executable).with_name("tracker")


def run_tracker(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run the installed console script against a throwaway SQLite database."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "TRACKER_INSTANCE": str(tmp_path / "instance"),
    }
    return subprocess.run(  # noqa: S603 (our own console script)
        [str(TRACKER), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_console_script_needs_no_app_flag(tmp_path: Path) -> None:
    routes = run_tracker("routes", tmp_path=tmp_path)
    assert routes.returncode == 0, routes.stderr
    assert "candidates.index" in routes.stdout and "/candidates/" in routes.stdout


def test_upgrade_and_sample_are_idempotent(tmp_path: Path) -> None:
    for _ in range(2):
        upgrade = run_tracker("db", "upgrade", tmp_path=tmp_path)
        assert upgrade.returncode == 0, upgrade.stderr
    first = run_tracker("sample", tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Authorities: 440 created" in first.stdout
    assert "Candidacies: 842 created" in first.stdout
    assert "Document: Modern slavery statement 2018 to 2019 (new)" in first.stdout
    second = run_tracker("sample", tmp_path=tmp_path)
    assert "Authorities: 0 created, 0 updated, 440 unchanged" in second.stdout
    assert "Candidacies: 0 created, 0 updated, 842 unchanged" in second.stdout
    assert "(unchanged), 0 new passages to review." in second.stdout
    assert "Demonstration: already loaded" in second.stdout
    secret = tmp_path / "instance" / "secret_key"
    assert len(secret.read_text()) == 64 and secret.stat().st_mode & 0o077 == 0


def test_sample_on_an_unmigrated_database_says_what_to_do(tmp_path: Path) -> None:
    result = run_tracker("sample", tmp_path=tmp_path)
    assert result.returncode == 1
    assert "Run `tracker db upgrade` first." in result.stderr


def test_import_authorities_reports_counts(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["import-authorities"])
    assert result.exit_code == 0
    assert "Authorities: 0 created, 0 updated, 440 unchanged, 0 rejected." in result.output
