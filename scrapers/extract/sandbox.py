"""Run a task in a forked child with a memory cap and a deadline.

PDFium and libxml2 are native code: a hostile document can make them allocate without bound,
loop, or crash the interpreter. In a child process the worst case is a dead child, which the
parent reports as an `ExtractionError` instead of going down with it.
"""

from __future__ import annotations

import faulthandler
import logging
import os
import resource
import select
import signal
import time
from collections.abc import Callable

from scrapers.passages import ExtractionError

logger = logging.getLogger(__name__)

MAX_RESULT_BYTES = 256 * 2**20
_READ_CHUNK = 2**16
_OK, _FAILED, _NO_MEMORY, _BUG = b"R", b"E", b"M", b"X"


def run_isolated(task: Callable[[], bytes], *, timeout_s: float, memory_bytes: int) -> bytes:
    """Run `task` in a child process and return its bytes, or raise `ExtractionError`.

    `memory_bytes` is what the task may allocate on top of the interpreter the child inherits;
    an `ExtractionError` raised by the task reaches the caller with its message intact.

    The child is forked, not spawned, so it starts in a millisecond with everything imported.
    Forking suits the single-threaded scraper; from Python 3.12 forking a process that runs
    other threads warns (DeprecationWarning), and a child that inherits a lock held by another
    thread would hang until its deadline.
    """
    try:
        read_fd, write_fd = os.pipe()
    except OSError as exc:
        raise ExtractionError(f"could not start the extractor ({exc})") from exc
    try:
        pid = os.fork()
    except OSError as exc:
        os.close(read_fd)
        os.close(write_fd)
        raise ExtractionError(f"could not start the extractor ({exc})") from exc
    if pid == 0:
        os.close(read_fd)
        _run_child(task, write_fd, timeout_s, memory_bytes)
    os.close(write_fd)
    deadline = time.monotonic() + timeout_s
    try:
        data = _collect(read_fd, deadline)
    except BaseException:
        _kill(pid)  # never leave a child running, whatever interrupted us
        raise
    finally:
        os.close(read_fd)
    status = _reap(pid, deadline)
    return _outcome(data, status, memory_bytes)


def _run_child(
    task: Callable[[], bytes], fd: int, timeout_s: float, memory_bytes: int
) -> None:  # pragma: no cover - runs in the forked child, which coverage does not follow
    """Apply the limits, run the task, send a tagged result and exit without cleanup."""
    code = 1
    # A crash is reported by the parent with its signal; a traceback dump from the child
    # would only interleave with the parent's own output.
    faulthandler.disable()
    try:
        _limit(timeout_s, memory_bytes)
        try:
            result = _OK + task()
        except ExtractionError as exc:
            result = _FAILED + str(exc).encode("utf-8", "replace")
        except MemoryError:
            result = _NO_MEMORY
        except RecursionError:
            result = _FAILED + b"the document is nested too deeply to read"
        except Exception as exc:  # any failure must reach the parent as a message
            result = _BUG + type(exc).__name__.encode()
        view = memoryview(result)
        while view:
            view = view[os.write(fd, view) :]
        code = 0
    finally:
        # os._exit skips the parent's atexit handlers and buffered output, which the fork copied.
        os._exit(code)


def cap_address_space(memory_bytes: int) -> None:
    """Let this process map at most `memory_bytes` more than it has mapped now."""
    with open("/proc/self/statm") as statm:
        inherited = int(statm.read().split()[0]) * resource.getpagesize()
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = inherited + memory_bytes
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _limit(timeout_s: float, memory_bytes: int) -> None:
    """Cap the child's address space above what it inherited, and its CPU time as a backstop."""
    cap_address_space(memory_bytes)
    cpu = int(timeout_s) + 2
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    if cpu_hard == resource.RLIM_INFINITY or cpu < cpu_hard:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu_hard))


def _collect(fd: int, deadline: float) -> bytes:
    """Read the child's output until it closes the pipe, giving up at the deadline.

    poll, not select: select cannot watch descriptors numbered above 1023, which a busy
    server process may well be handing out.
    """
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    chunks: list[bytes] = []
    size = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not poller.poll(remaining * 1000):
            raise ExtractionError("extraction timed out")
        chunk = os.read(fd, _READ_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_RESULT_BYTES:
            raise ExtractionError("extraction produced too much text")
        chunks.append(chunk)


def _reap(pid: int, deadline: float) -> int:
    """Wait for the child to exit (it closed its pipe, so it is about to); kill it if not."""
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.001)
    _kill(pid)
    return -1


def _kill(pid: int) -> None:
    """Kill and reap a child that overran its deadline."""
    logger.warning("killing extraction child %d", pid)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    os.waitpid(pid, 0)


def _outcome(data: bytes, status: int, memory_bytes: int) -> bytes:
    """Turn the child's tagged output and exit status into a result or an error."""
    if status == -1:
        raise ExtractionError("extraction timed out")
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU:
            raise ExtractionError("extraction timed out (CPU limit)")
        name = signal.Signals(sig).name if sig in signal.valid_signals() else str(sig)
        raise ExtractionError(f"the extractor crashed on this document ({name})")
    tag, body = data[:1], data[1:]
    if os.WEXITSTATUS(status) != 0 or not tag:
        raise ExtractionError(f"the extractor failed (exit status {os.WEXITSTATUS(status)})")
    if tag == _OK:
        return body
    if tag == _NO_MEMORY:
        raise ExtractionError(f"extraction ran out of memory (limit {memory_bytes // 2**20} MiB)")
    if tag == _BUG:
        raise ExtractionError(
            f"the extractor failed unexpectedly ({body.decode(errors='replace')})"
        )
    raise ExtractionError(body.decode("utf-8", "replace"))
