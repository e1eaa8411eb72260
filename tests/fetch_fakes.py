"""Stand-ins for time and DNS shared by the fetch, SSRF and discover tests."""

from __future__ import annotations

import socket
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

START = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class FakeClock:
    """Time that moves only when the code under test sleeps; records every sleep."""

    def __init__(self) -> None:
        self.elapsed = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.elapsed

    def now(self) -> datetime:
        return START + timedelta(seconds=self.elapsed)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.elapsed += seconds

    def advance(self, seconds: float) -> None:
        """Let time pass without the code under test sleeping."""
        self.elapsed += seconds


class FakeResolver:
    """Answer DNS from a dict and count lookups; unknown names fail as real DNS would."""

    def __init__(self, answers: Mapping[str, Sequence[str]]) -> None:
        self.answers = dict(answers)
        self.lookups: list[str] = []

    def __call__(self, host: str) -> list[str]:
        self.lookups.append(host)
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return list(self.answers[host])
