"""Count the SQL a block of code runs, to hold reads to a fixed few queries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event

from tracker.db import EXTENSION

# tracker.pledging.find_pledge: a subject's pledge on one recommendation.
FIND_PLEDGE = re.compile(r"FROM pledge\s+WHERE pledge\.recommendation_id = ")


@contextmanager
def counted_queries(app: Flask) -> Iterator[list[str]]:
    """Collect the SELECT statements run inside the block (not the tests' savepoints)."""
    statements: list[str] = []
    engine = app.extensions[EXTENSION].engine

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)
