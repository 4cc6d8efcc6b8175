"""Python's cycle collector, kept off long-lived objects and run rarely.

Reference counting frees almost everything this program allocates; the cycle collector is
for the rest, and each of its full passes walks every live object. A server worker holds a few
hundred thousand long-lived ones (the app, its schemas, SQLAlchemy's metadata and caches), and
an import allocates tens of millions of short-lived ones (a record, its rows, its revision),
about one collection per 700 allocations with Python's default threshold.

`gc.freeze()` sets what is alive now aside for good, and a first threshold of 50,000
allocations instead of 700 makes collections rare. Measured: at 1M events a worker's p99 on
date windows went from 375 to 167 ms at eight clients (docs/performance.md); a 100,000-event
import into SQLite went from 31 to 26 s.
"""

from __future__ import annotations

import gc

THRESHOLD = 50_000


def collect_rarely() -> None:
    """Freeze what is alive and collect after THRESHOLD allocations (for this process)."""
    gc.freeze()
    gc.set_threshold(THRESHOLD, 50, 1000)
