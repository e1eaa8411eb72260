"""Backups taken while campaigners write hold every write acknowledged before they began."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner
from sqlmodel import func, select

from tests.databases import fresh_database
from tests.factories import candidate, fictional_council
from tracker import migrate
from tracker.backups import BackupError, backup, restore
from tracker.db import Database, write_intent
from tracker.models import Pledge, PledgeEvent, PledgeStatus, Recommendation
from tracker.pledging import PledgeChange, Subject, save_pledge


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A source and a target database on the same backend."""
    source = fresh_database(request.param, "backup_source", tmp_path)
    target = fresh_database(request.param, "backup_target", tmp_path)
    yield next(source), next(target)
    for generator in (source, target):
        next(generator, None)


def test_a_backup_during_writes_restores_every_acknowledged_write(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    source_url, target_url = databases
    migrate.upgrade(source_url)
    migrate.upgrade(target_url)
    source = Database(source_url)
    with source.session() as session:
        council = fictional_council(session, "Backupshire")
        people = [candidate(session, f"Writer {n}", council=council).id for n in range(40)]
        recs = list(session.exec(select(Recommendation.id)))
        session.commit()
    acknowledged: list[int] = []
    stop = threading.Event()

    def write() -> None:
        with write_intent():
            for person in people:
                for rec in recs:
                    if stop.is_set():
                        return
                    with source.session() as session:
                        pledge, _ = save_pledge(
                            session,
                            Subject(person_id=person),
                            rec or 0,
                            PledgeChange(PledgeStatus.PLEDGED, quote="Yes."),
                            expected_version=0,
                        )
                        session.commit()
                        acknowledged.append(pledge.id if pledge else 0)

    writer = threading.Thread(target=write)
    writer.start()
    while len(acknowledged) < 30:
        threading.Event().wait(0.01)
    before = list(acknowledged)
    backup(source_url, tmp_path / "backup.dump")
    stop.set()
    writer.join()
    source.engine.dispose()
    restore(target_url, tmp_path / "backup.dump")
    restored = Database(target_url)
    with restored.session() as session:
        ids = set(session.exec(select(Pledge.id)))
        assert set(before) <= ids  # every write acknowledged before the backup began
        assert ids <= set(acknowledged)
        events = session.exec(select(func.count()).select_from(PledgeEvent)).one()
        assert events == len(ids)  # consistent: no pledge without its event, or the reverse
    restored.engine.dispose()


def test_backup_and_restore_commands(runner: FlaskCliRunner, tmp_path: Path) -> None:
    made = runner.invoke(args=["backup", str(tmp_path / "site.backup")])
    assert made.exit_code == 0, made.output
    assert (tmp_path / "site.backup").stat().st_size > 10_000
    missing = runner.invoke(args=["restore", str(tmp_path / "nope.db"), "--yes"])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    with pytest.raises(BackupError, match="in-memory"):
        backup("sqlite:///:memory:", tmp_path / "x.db")


def test_database_and_backup_files_are_private(tmp_path: Path) -> None:
    # Under the usual umask SQLite would create these 0644, readable by every local user.
    previous = os.umask(0o022)
    try:
        database = tmp_path / "private.db"
        migrate.upgrade(f"sqlite:///{database}")
        with Database(f"sqlite:///{database}").session() as session:
            fictional_council(session, "Privateshire")
            session.commit()
            wal = [database.with_name(database.name + suffix) for suffix in ("-wal", "-shm")]
            modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in [database, *wal]}
        copy = tmp_path / "backups" / "private-copy.db"
        backup(f"sqlite:///{database}", copy)
        modes[copy.name] = stat.S_IMODE(copy.stat().st_mode)
    finally:
        os.umask(previous)
    assert modes == dict.fromkeys(modes, 0o600)
    assert len(modes) == 4


def test_an_older_world_readable_database_is_closed_up(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    database.touch(mode=0o644)
    database.chmod(0o644)
    Database(f"sqlite:///{database}").engine.dispose()
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
