"""Counts of events over time for charts: per bucket, optionally per group, zero-filled.

The database groups the matching starts by day (or month) and precision, read through the
same index ranges as the list (or from `event_counts` when only dates and types filter);
buckets, zero rows and running totals are then made here, from at most a few thousand rows.
See timeline_api.buckets for the rule on partial dates.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, extract, func, literal, select, union_all
from sqlalchemy.orm import Session

from timeline_api import buckets
from timeline_api.buckets import Span
from timeline_api.models import Event, EventCount, EventType
from timeline_api.queries import counts
from timeline_api.queries.filters import EventFilters, Shape, parts, shape, values
from timeline_api.queries.stats import GROUPED

GROUPS = ("type", "actor", "country", "tag")
MAX_ROWS = 10_000  # buckets times groups: more is no chart anybody reads


class TooManyRows(ValueError):
    """The chart asked for would have more than MAX_ROWS rows."""


Group = tuple[str, str] | None  # (id, name), or None when not grouped


# Slotted and not frozen: a monthly chart makes a thousand of each per request, and a frozen
# dataclass is made several times slower.
@dataclass(slots=True)
class Start:
    """Matching events whose start is `day` (or its month) at `precision`, in one group."""

    day: date
    precision: str
    group: Group
    count: int


@dataclass(slots=True)
class Row:
    """One bucket (or an undated period) of one group, and its events."""

    span: Span
    group: Group
    count: int
    cumulative: int | None = None


@dataclass
class Chart:
    """The rows of a chart, the undated periods, and the events started before its range."""

    rows: list[Row] = field(default_factory=list)
    undated: list[Row] = field(default_factory=list)
    before: int = 0


def starts(session: Session, filters: EventFilters, size: str, group: str | None) -> list[Start]:
    """The matching events' starts, grouped as finely as buckets of `size` need."""
    fine = size in ("day", "week")
    if (
        not fine
        and group in (None, "type")
        and counts.by_counts_table(filters)
        and not (filters.first or filters.last)
    ):
        return _from_counts(session, filters, group, by_year=size == "year")
    dialect = session.get_bind().dialect.name
    driver = counts.choose_driver(session, filters, dialect)
    statement = _grouped(shape(filters, dialect, driver=driver), fine, group)
    rows = session.execute(statement, values(filters, dialect)).all()
    if fine:
        found = [(row[0], row[1], row[2:-1], int(row[-1])) for row in rows]
    else:
        found = [
            (date(int(row[0]), int(row[1]), 1), row[2], row[3:-1], int(row[-1])) for row in rows
        ]
    types = _type_names(session) if group == "type" else {}
    return [
        Start(_as_date(day), precision, _group(group, key, types), n)
        for day, precision, key, n in found
    ]


def chart(found: list[Start], size: str, first: date | None, last: date | None) -> Chart:
    """Zero-filled rows over first..last (the data's range where not given), with totals."""
    placed: dict[tuple[date, Group], int] = defaultdict(int)
    undated: dict[tuple[Span, Group], int] = defaultdict(int)
    for start in found:
        if buckets.is_placed(start.precision, size):
            placed[(buckets.bucket(start.day, size).first, start.group)] += start.count
        else:
            undated[(buckets.period(start.day, start.precision), start.group)] += start.count
    # The data's range holds the undated periods too, so that a chart has room for them.
    days = [day for day, _ in placed] + [d for span, _ in undated for d in (span.first, span.last)]
    low = first if first is not None else min(days, default=None)
    high = last if last is not None else max(days, default=None)
    ordered = sorted(undated.items(), key=_by_span)
    result = Chart(undated=[Row(span, group, n) for (span, group), n in ordered])
    if low is None or high is None:
        return result
    lowest = buckets.bucket(low, size).first
    groups = sorted({g for _, g in placed} | {g for _, g in undated}, key=_group_order) or [None]
    rows = buckets.count_between(low, high, size) * len(groups)
    if rows > MAX_ROWS:
        raise TooManyRows(rows)
    running = dict.fromkeys(groups, 0)
    for (day, group), n in placed.items():
        if day < lowest:  # an event that began before the range, and reaches into it
            running[group] += n
            result.before += n
    ended = sorted(result.undated, key=lambda row: row.span.last)
    for span in buckets.between(low, high, size):
        while ended and ended[0].span.last <= span.last:
            row = ended.pop(0)
            running[row.group] += row.count
        for group in groups:
            n = placed.get((span.first, group), 0)
            running[group] += n
            result.rows.append(Row(span, group, n, running[group]))
    return result


def _by_span(item: tuple[tuple[Span, Group], int]) -> Any:
    (span, group), _ = item
    return (span.first, span.last, _group_order(group))


def _group_order(group: Group) -> str:
    return "" if group is None else group[0]


def _as_date(value: Any) -> date:
    """SQLite gives the grouped day back as text."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _group(group: str | None, key: tuple[Any, ...], types: dict[int, tuple[str, str]]) -> Group:
    if group is None:
        return None
    if group == "type":
        return types[int(key[0])]
    return (str(key[0]), str(key[1]))


def _type_names(session: Session) -> dict[int, tuple[str, str]]:
    rows = session.execute(select(EventType.id, EventType.slug, EventType.name))
    return {int(id): (str(slug), str(name)) for id, slug, name in rows}


@lru_cache(maxsize=256)
def _grouped(shape: Shape, fine: bool, group: str | None) -> Select[Any]:
    """Matching starts per day (or year and month), precision and group, read by index."""
    columns = (Event.id, Event.earliest, Event.start_precision, Event.type_id)
    walked = [part.with_only_columns(*columns) for part in parts(shape)]
    matching = (walked[0] if len(walked) == 1 else union_all(*walked)).subquery()
    when: list[Any] = (
        [matching.c.earliest]
        if fine
        else [extract("year", matching.c.earliest), extract("month", matching.c.earliest)]
    )
    keys = [*when, matching.c.start_precision]
    if group is None:
        return select(*keys, func.count()).group_by(*keys)
    if group == "type":
        return select(*keys, matching.c.type_id, func.count()).group_by(*keys, matching.c.type_id)
    key, label, joined = GROUPED[group]
    return (
        select(*keys, key, label, func.count(func.distinct(matching.c.id)))
        .select_from(joined)
        .join(matching, matching.c.id == joined.c.event_id)
        .group_by(*keys, key, label)
    )


def _from_counts(
    session: Session, filters: EventFilters, group: str | None, by_year: bool
) -> list[Start]:
    """Whole-timeline starts per month (0: known only to the year) and type, from the table;
    with `by_year`, per year only (a start known to its month or its year is placed alike)."""
    chosen = []
    if filters.types:
        chosen.append(
            EventCount.type_id.in_(select(EventType.id).where(EventType.slug.in_(filters.types)))
        )
    month = literal(0) if by_year else EventCount.month
    keys = [EventCount.year, month]
    if group == "type":
        keys.append(EventCount.type_id)
    total = func.sum(EventCount.events)
    grouped = [key for key in keys if key is not month] if by_year else keys
    rows = session.execute(select(*keys, total).where(*chosen).group_by(*grouped).having(total > 0))
    types = _type_names(session) if group == "type" else {}
    return [
        Start(
            date(int(row[0]), int(row[1]) or 1, 1),
            "year" if int(row[1]) == 0 else "month",
            _group(group, tuple(row[2:-1]), types),
            int(row[-1]),
        )
        for row in rows
    ]
