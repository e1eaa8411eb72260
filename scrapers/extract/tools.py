"""Run the Debian programs some formats need (Tesseract, antiword) from an extraction helper.

The programs are native code reading hostile input, like PDFium, so they run under the
helper's own limits: a child inherits the helper's address-space cap, gets a CPU limit of
its own, and dies with the helper (PR_SET_PDEATHSIG) when the parent kills an overrunning
helper, so no orphan keeps a core busy after its document has been given up.
"""

from __future__ import annotations

import ctypes
import os
import resource
import shutil
import signal
import subprocess  # nosec B404
import sys
from collections.abc import Callable, Sequence

from scrapers.passages import ExtractionError

TOOL_TIMEOUT_S = 50.0
_PR_SET_PDEATHSIG = 1
# One thread per helper: the pool already runs one helper per core, and Tesseract's OpenMP
# threads would only fight each other for the same cores.
_ENVIRONMENT = {"OMP_THREAD_LIMIT": "1", "LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin"}


def find_tool(name: str) -> str | None:
    """Return the path of an installed program, or None when it is not installed."""
    return shutil.which(name, path=_ENVIRONMENT["PATH"]) or shutil.which(name)


def run_tool(
    argv: Sequence[str], *, stdin: bytes | None = None, timeout_s: float = TOOL_TIMEOUT_S
) -> bytes:
    """Run a program on a document and return its output, or raise ExtractionError."""
    name = os.path.basename(argv[0])
    try:
        # A fixed program and argument list, never a shell.
        result = subprocess.run(  # noqa: S603  # nosec B603
            list(argv),
            input=stdin,
            capture_output=True,
            timeout=timeout_s,
            env=_ENVIRONMENT,
            preexec_fn=_limit_child(timeout_s),  # safe: a helper runs a single thread
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ExtractionError(f"{name} took too long (over {timeout_s:g} s)") from exc
    except OSError as exc:
        raise ExtractionError(f"{name} could not be started ({exc.strerror})") from exc
    if result.returncode != 0:
        said = result.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = said[-1][:200] if said else f"exit status {result.returncode}"
        raise ExtractionError(f"{name} could not read the document ({reason})")
    return result.stdout


def _limit_child(timeout_s: float) -> Callable[[], None]:
    """Return the function that limits a tool's process between fork and exec."""
    cpu = int(timeout_s) + 2

    def limit() -> None:  # pragma: no cover - runs in the child, which coverage does not follow
        if sys.platform == "linux":
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        if hard == resource.RLIM_INFINITY or cpu < hard:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, hard))

    return limit
