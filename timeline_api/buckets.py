"""Calendar buckets for charts: day, ISO week, month, quarter, year (pure Python: no Flask, no DB).

The rule for partial dates: an event is counted in the bucket holding its start only when the
start is at least as precise as the bucket needs (a day for `day` and `week`, a month for
`month` and `quarter`, a year for `year`). A coarser start is never put in the first bucket of
its period (no fake 1 January): it is counted once, apart, over its own year or month.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

SIZES = ("day", "week", "month", "quarter", "year")
# The precision a start needs to be placed in a bucket of each size.
NEEDS = {"day": "day", "week": "day", "month": "month", "quarter": "month", "year": "year"}
_RANK = {"year": 0, "month": 1, "day": 2}

RULE = (
    "Each event counts once, in the bucket holding its start, when the start is at least as "
    "precise as the bucket (a day for day and week buckets, a month for month and quarter "
    "buckets, a year for year buckets). A start known only to a coarser year or month is not "
    "put in that period's first bucket: it is counted in `undated`, over its own period. "
    "`cumulative` counts the events known to have started by each bucket's end, those in "
    "`undated` included once their period has ended."
)


@dataclass(frozen=True, order=True)
class Span:
    """A bucket or a period: its first and last day (inclusive), its key, and its size."""

    first: date
    last: date
    key: str
    size: str


def is_placed(precision: str, size: str) -> bool:
    """Whether a start of `precision` is precise enough for buckets of `size`."""
    return _RANK[precision] >= _RANK[NEEDS[size]]


@lru_cache(maxsize=65536)
def bucket(day: date, size: str) -> Span:
    """The bucket of `size` holding `day` (remembered: charts ask for the same ones again)."""
    if size == "day":
        first = day
    elif size == "week":
        first = day - timedelta(days=day.weekday())  # ISO weeks start on Monday
    elif size == "month":
        first = day.replace(day=1)
    elif size == "quarter":
        first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    else:
        first = date(day.year, 1, 1)
    return Span(first, _last(first, size), _key(first, size), size)


def period(day: date, precision: str) -> Span:
    """The year or month a start of that precision means (`day` being its first day)."""
    return bucket(day, "year" if precision == "year" else "month")


def between(first: date, last: date, size: str) -> Iterator[Span]:
    """Every bucket of `size` from the one holding `first` to the one holding `last`."""
    current = bucket(first, size)
    while current.first <= last:
        yield current
        if current.last == date.max:
            return
        current = bucket(current.last + timedelta(days=1), size)


def count_between(first: date, last: date, size: str) -> int:
    """How many buckets `between` gives, without making them."""
    start, end = bucket(first, size).first, bucket(last, size).first
    if size == "day":
        return (end - start).days + 1
    if size == "week":
        return (end - start).days // 7 + 1
    months = (end.year - start.year) * 12 + end.month - start.month
    return {"month": months + 1, "quarter": months // 3 + 1}.get(size, end.year - start.year + 1)


def _last(first: date, size: str) -> date:
    if size == "day":
        return first
    if size == "week":
        return min(first + timedelta(days=6), date.max)
    months = {"month": 1, "quarter": 3, "year": 12}[size]
    ordinal = first.year * 12 + first.month - 1 + months
    if ordinal // 12 > date.max.year:
        return date.max
    return date(ordinal // 12, ordinal % 12 + 1, 1) - timedelta(days=1)


def _key(first: date, size: str) -> str:
    if size == "day":
        return first.isoformat()
    if size == "week":
        year, week, _ = first.isocalendar()
        return f"{year:04d}-W{week:02d}"
    if size == "month":
        return f"{first.year:04d}-{first.month:02d}"
    if size == "quarter":
        return f"{first.year:04d}-Q{(first.month - 1) // 3 + 1}"
    return f"{first.year:04d}"
