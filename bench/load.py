"""Load a URL with wrk and read back its figures; describe the machine the figures came from.

Every measurement warms up first (the figures of the warm-up run are thrown away), then
runs for a fixed time with a fixed number of connections. The Lua script in `bench/wrk/`
prints wrk's summary as JSON and, for conditional requests, sends If-None-Match.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.output import say

SCRIPT = Path(__file__).resolve().parent / "wrk" / "report.lua"
CONNECTIONS = 8
THREADS = 2
WARMUP_S = 2
MEASURE_S = 4


@dataclass(frozen=True)
class Load:
    """What wrk saw in one measured run."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        """Return the requests answered per second."""
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_path() -> str:
    """Return the wrk executable, or explain how to install it."""
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    return found


def measure(
    url: str,
    *,
    if_none_match: str | None = None,
    seconds: int = MEASURE_S,
    warmup: int = WARMUP_S,
    connections: int = CONNECTIONS,
    settle: Callable[[], None] | None = None,
) -> Load:
    """Warm up on `url`, let the server `settle`, then load it for `seconds`."""
    if warmup:
        _run(url, if_none_match, warmup, connections)
        if settle is not None:
            settle()
    return _run(url, if_none_match, seconds, connections)


def _run(url: str, if_none_match: str | None, seconds: int, connections: int) -> Load:
    """Run wrk once on `url` and read back its figures."""
    env = {"WRK_IF_NONE_MATCH": if_none_match or ""}
    figures = run_wrk(url, script=SCRIPT, seconds=seconds, connections=connections, env=env)
    return Load(
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        p50_ms=figures["p50_us"] / 1e3,
        p99_ms=figures["p99_us"] / 1e3,
        errors=failed_requests(figures),
    )


def run_wrk(
    url: str, *, script: Path, seconds: int, connections: int, env: dict[str, str]
) -> dict[str, int]:
    """Run wrk with one of our Lua scripts and return the JSON line the script prints."""
    argv = [
        wrk_path(),
        f"-t{THREADS}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(  # noqa: S603 - wrk, against our own loopback server
        argv, capture_output=True, text=True, env={**os.environ, **env}, check=True
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("{"))
    figures: dict[str, int] = json.loads(line)
    return figures


def failed_requests(figures: dict[str, int]) -> int:
    """Return the requests wrk counts as failed: connection errors, timeouts and 4xx/5xx."""
    keys = ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    return sum(figures[key] for key in keys)


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET `url` once (no redirects followed) and return status, headers and body."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def send(method: str, url: str, headers: dict[str, str], body: str) -> bytes:
    """Send a write and return the answer's body; raise if it did not succeed."""
    request = urllib.request.Request(  # noqa: S310 - loopback
        url, data=body.encode(), headers=headers, method=method
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
        data: bytes = response.read()
        return data


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Report redirects instead of following them, so a benchmark never measures one."""

    def redirect_request(self, *_: object, **__: object) -> None:
        return None


def describe_machine(sqlite_url: str | None = None) -> None:
    """Print the machine, Python and SQLite the figures were measured on."""
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    say(f"machine: {os.cpu_count()} CPUs ({model}), {platform.system()} {platform.release()}")
    say(
        f"python {platform.python_version()} ({sys.implementation.name}), "
        f"SQLite {sqlite3.sqlite_version}" + (f", dataset {sqlite_url}" if sqlite_url else "")
    )


def ratio(value: float, baseline: float) -> float:
    """Return value / baseline, 0 when there is no baseline."""
    return value / baseline if baseline else 0.0
