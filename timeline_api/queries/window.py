"""A date window as narrow index ranges: one per span class, walked in start or in end order.

An event overlaps first..last when `earliest <= last` and `latest >= first`. Walked in start
order, `latest >= first` alone would visit every earlier event. But an event of span class k
(see dates.span_class) lasts fewer than 2**k days, so it reaches `first` only when it starts
after `first - 2**k`: within one class, `earliest` in [first - 2**k + 1, last] holds every
match, and the index (span_class, earliest, latest, ...) lists them in order. In end order,
`latest` in [first, last + 2**k - 1] does the same on (span_class, latest, earliest, ...).
A page is then the first rows of each range, merged; a count, the sum of the ranges' counts.

The ranges are written with bind parameters (`first`, `last`, `reach_<k>`, `until_<k>`) so
that their statements can be built once and reused; `values()` gives the parameters.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Date, bindparam

from timeline_api.dates import SPAN_CLASSES, earliest_start, latest_end
from timeline_api.models import Event

Range = list[ColumnElement[bool]]


def _day(name: str) -> BindParameter[date]:
    return bindparam(name, type_=Date())


def ranges(first: bool, last: bool, by_end: bool = False, spans: Any = Event) -> list[Range]:
    """Per span class, the conditions selecting its events that can overlap first..last.

    `first` and `last` say which ends the window has; an open end is not a condition.
    `spans` has the columns `span_class`, `earliest` and `latest`: the events, or a link
    table's copy of them (queries.linked).
    """
    return [_one_class(first, last, klass, by_end, spans) for klass in SPAN_CLASSES]


def _one_class(first: bool, last: bool, klass: int, by_end: bool, spans: Any) -> Range:
    found: Range = [spans.span_class == klass]
    if by_end:
        if first:
            found.append(spans.latest >= _day("first"))
        if last:
            found += [spans.latest <= _day(f"until_{klass}"), spans.earliest <= _day("last")]
    else:
        if first:
            found += [spans.earliest >= _day(f"reach_{klass}"), spans.latest >= _day("first")]
        if last:
            found.append(spans.earliest <= _day("last"))
    return found


def straddling() -> list[Range]:
    """Per span class, the events that start before `first` and reach it."""
    return [
        [
            Event.span_class == klass,
            Event.earliest >= _day(f"reach_{klass}"),
            Event.earliest < _day("first"),
            Event.latest >= _day("first"),
        ]
        for klass in SPAN_CLASSES
        if klass > 0  # a single day cannot both start before `first` and reach it
    ]


def values(first: date | None, last: date | None) -> dict[str, Any]:
    """The bind parameters of the ranges of first..last."""
    found: dict[str, Any] = {"first": first, "last": last}
    for klass in SPAN_CLASSES:
        if first is not None:
            found[f"reach_{klass}"] = earliest_start(first, klass)
        if last is not None:
            found[f"until_{klass}"] = latest_end(last, klass)
    return found
