"""Which bench requests make SQLite read every event: EXPLAIN QUERY PLAN of what they run."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event

from bench.workload import Row
from timeline_api.app import create_app

# A full pass over events, through the table or one of its indexes; FTS tables do not count.
SCAN = re.compile(r"^SCAN events(_\d+)?( |$)")


def scans(url: str, rows: list[Row]) -> dict[str, list[str]]:
    """Per row, the plan lines of its first request that scan the events table."""
    app = create_app({"DATABASE_URL": url})
    engine = app.extensions["db_engine"]
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    client = app.test_client()
    found: dict[str, list[str]] = {}
    try:
        for row in rows:
            seen.clear()
            client.get(row.ours[0])
            statements = [s for s in seen if s[0].lstrip()[:6].upper() in ("SELECT", "WITH")]
            lines: set[str] = set()
            with engine.connect() as connection:
                for statement, parameters in statements:
                    plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
                    lines.update(detail for *_, detail in plan if SCAN.match(detail))
            found[row.name] = sorted(lines)
    finally:
        event.remove(engine, "before_cursor_execute", record)
        engine.dispose()
    return found
