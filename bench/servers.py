"""Start and stop the servers the benchmarks load: our app under gunicorn, and Datasette.

Each server runs as a child process on a free loopback port and is stopped by its own
process id when the block ends, whatever happened inside it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
START_S = 120  # a busy 2-core machine takes a while to import four workers


@dataclass(frozen=True)
class Server:
    """A running server: where to reach it, and where its output goes."""

    base_url: str
    pid: int
    log_path: Path

    def troubles(self) -> list[str]:
        """Return the log's lines about errors, killed workers or an exhausted pool."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        marks = ("[ERROR]", "[CRITICAL]", "QueuePool limit", "Traceback")
        return [line for line in text.splitlines() if any(m in line for m in marks)]


def free_port() -> int:
    """Return a loopback TCP port nobody is listening on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def gunicorn(
    database_url: str, *, workers: int, env: Mapping[str, str] | None = None
) -> Iterator[Server]:
    """Serve the app from `wsgi.py` on `database_url` with sync workers, as in production.

    `env` adds settings (REDIS_URL, say) to the workers' environment.
    """
    port = free_port()
    instance = Path(tempfile.gettempdir()) / "pledge-tracker-bench" / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    settings = {
        "DATABASE_URL": database_url,
        "TRACKER_INSTANCE": str(instance),
        "SECRET_KEY": "benchmark-only-secret",
        "PYTHONPATH": str(ROOT),
        **(env or {}),
    }
    argv = [
        str(BIN / "gunicorn"),
        # Not the deployment's gunicorn.conf.py (found in the working directory otherwise):
        # its access log and worker recycling would change what is measured.
        "--config",
        os.devnull,
        "--workers",
        str(workers),
        "--bind",
        f"{HOST}:{port}",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
        "wsgi:app",
    ]
    with _running(
        argv, settings, f"http://{HOST}:{port}", "/healthz", instance / f"gunicorn-{port}.log"
    ) as server:
        yield server


@contextmanager
def datasette(sqlite_path: Path) -> Iterator[Server]:
    """Serve the SQLite file read-only with Datasette's default settings."""
    port = free_port()
    argv = [
        str(BIN / "datasette"),
        "serve",
        "--immutable",
        str(sqlite_path),
        "--host",
        HOST,
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        "10000",
    ]
    log = sqlite_path.parent / f"datasette-{port}.log"
    with _running(argv, {}, f"http://{HOST}:{port}", "/-/versions.json", log) as server:
        yield server


@contextmanager
def crawl_server(latency: float) -> Iterator[Server]:
    """Serve the crawl benchmark's documents (`bench.crawl_server`), each answer delayed."""
    port = free_port()
    argv = [sys.executable, "-m", "bench.crawl_server", "--port", str(port)]
    argv += ["--latency", str(latency)]
    log = Path(tempfile.gettempdir()) / "pledge-tracker-bench" / f"crawl-server-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with _running(argv, {}, f"http://{HOST}:{port}", "/robots.txt", log) as server:
        yield server


@contextmanager
def _running(
    argv: Sequence[str], env: Mapping[str, str], base_url: str, probe: str, log_path: Path
) -> Iterator[Server]:
    """Run `argv` until the block ends, once `probe` answers 200; its output goes to a log."""
    log = log_path.open("w+b")
    process = subprocess.Popen(  # noqa: S603 - our own venv's executables
        argv,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_until_up(process, base_url + probe, log)
        yield Server(base_url, process.pid, log_path)
    finally:
        _stop(process)
        log.close()


def _wait_until_up(process: subprocess.Popen[bytes], url: str, log: BinaryIO) -> None:
    """Poll `url` until it answers, failing if the server exits or takes over START_S."""
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    log.seek(0)
    detail = log.read()[-4000:].decode(errors="replace")
    raise RuntimeError(f"server {process.args!r} did not come up:\n{detail}")


def wait_idle(server: Server, *, timeout: float = 120.0) -> None:
    """Wait until every process of the server sleeps: the last load has drained.

    A sync worker finishes every request it accepted, even after wrk hung up, so a slow
    page's queue would otherwise spill into the next measurement. A worker at work is
    running (or waiting for a CPU), never sleeping, however busy the machine is.
    """
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
        quiet = quiet + 1 if _all_asleep(server.pid) else 0


def _all_asleep(pid: int) -> bool:
    """Return whether a process and its children are all sleeping."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        mine = int(stat.parent.name) == pid or int(fields[1]) == pid
        if mine and fields[0] not in ("S", "I"):
            return False
    return True


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server's process group (gunicorn's workers too), gently then firmly."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
