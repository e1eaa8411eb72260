"""Read robots.txt the way RFC 9309 does, wildcards included.

The standard library's `urllib.robotparser` is not used because it gets real council files
wrong in ways that matter here:

- it reads `*` and `$` in paths literally, so Stockport's `Disallow: /*.pdf$` (see
  tests/corpus/robots) would never match and we would fetch the PDFs the council asked
  robots to leave alone;
- it applies the first matching rule instead of the longest, so `Disallow: /a` followed by
  `Allow: /a/b` blocks /a/b, which RFC 9309 allows;
- it does not strip a byte-order mark, so a file starting `\\ufeffUser-agent: *` loses its
  whole `*` group.

The grammar is small, so this module parses it directly: groups start at `User-agent` lines,
our group is every group naming our product token (case-insensitively), else the `*` groups;
`*` matches any run of characters, a final `$` anchors the end, the longest matching pattern
wins and Allow wins a tie. `Crawl-delay` is not in the RFC but is honoured when present.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

# Characters left as they are when comparing paths; everything else is percent-encoded, so
# `/caf%C3%A9` and `/café` compare equal.
_PATH_SAFE = "/?=&;:@!$'()*+,~%"


@dataclass(frozen=True)
class Rule:
    """One Allow or Disallow line, its pattern normalised and compiled."""

    allow: bool
    pattern: str
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        anchored = self.pattern.endswith("$")
        body = self.pattern[:-1] if anchored else self.pattern
        regex = ".*".join(re.escape(part) for part in body.split("*"))
        object.__setattr__(self, "regex", re.compile(regex + (r"\Z" if anchored else "")))


@dataclass(frozen=True)
class RobotsPolicy:
    """What one site's robots.txt lets our user agent do."""

    rules: tuple[Rule, ...] = ()
    crawl_delay: float | None = None

    def allows(self, url: str) -> bool:
        """Tell whether the path and query of `url` may be fetched."""
        parts = urlsplit(url)
        path = _canonical(parts.path or "/") + (
            f"?{_canonical(parts.query)}" if parts.query else ""
        )
        if path == "/robots.txt":
            return True
        best: Rule | None = None
        for rule in self.rules:
            if rule.regex.match(path) and (
                best is None or (len(rule.pattern), rule.allow) > (len(best.pattern), best.allow)
            ):
                best = rule
        return best is None or best.allow


ALLOW_ALL = RobotsPolicy()
DISALLOW_ALL = RobotsPolicy(rules=(Rule(allow=False, pattern="/"),))


@dataclass
class _Group:
    agents: list[str] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    crawl_delay: float | None = None
    closed: bool = False  # a rule line ends the run of User-agent lines


def parse_robots(content: bytes, product_token: str) -> RobotsPolicy:
    """Return the policy a robots.txt file sets for `product_token`."""
    groups: list[_Group] = []
    text = content.decode("utf-8", errors="replace").removeprefix("\ufeff")
    for raw in text.splitlines():
        key, sep, value = raw.split("#", 1)[0].partition(":")
        key, value = key.strip().lower(), value.strip()
        if not sep:
            continue
        if key == "user-agent":
            if not groups or groups[-1].closed:
                groups.append(_Group())
            groups[-1].agents.append(value.split("/", 1)[0].strip().lower())
        elif groups and key in ("allow", "disallow"):
            groups[-1].closed = True
            if value:  # an empty Disallow matches nothing
                groups[-1].rules.append(Rule(allow=key == "allow", pattern=_canonical(value)))
        elif groups and key == "crawl-delay":
            groups[-1].closed = True
            groups[-1].crawl_delay = _seconds(value)
    token = product_token.lower()
    chosen = [g for g in groups if token in g.agents] or [g for g in groups if "*" in g.agents]
    delays = [g.crawl_delay for g in chosen if g.crawl_delay is not None]
    return RobotsPolicy(
        rules=tuple(rule for group in chosen for rule in group.rules),
        crawl_delay=max(delays, default=None),
    )


def product_token(user_agent: str) -> str:
    """Return the name robots.txt groups address us by: the User-Agent up to its first '/'."""
    return user_agent.split("/", 1)[0].split(" ", 1)[0]


def _canonical(path: str) -> str:
    """Percent-encode a path the same way on both sides of a comparison."""
    return quote(unquote(path), safe=_PATH_SAFE)


def _seconds(value: str) -> float | None:
    """Read a Crawl-delay value, ignoring nonsense rather than failing on it."""
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None
