"""Every matching event as NDJSON: one compact JSON object a line, streamed as it is read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson
from sqlalchemy.orm import Session

from timeline_api.queries import events as queries
from timeline_api.queries import included
from timeline_api.queries.events import EventFilters

MEDIA_TYPE = "application/x-ndjson"


def lines(
    session: Session,
    filters: EventFilters,
    include: tuple[str, ...],
    shaped: Callable[[Any], dict[str, Any]],
) -> Iterator[bytes]:
    """The events of `filters`, batch by batch: memory holds one batch, never the result."""
    for batch in queries.batches(session, filters):
        included.add(session, batch, include)
        # One chunk per batch: a write per event would cost more than the JSON.
        yield b"".join(orjson.dumps(shaped(record)) + b"\n" for record in batch)
