"""Keyset paging: the next page starts after the last row seen, whatever the table's size."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from timeline_api.models import Revision

T = TypeVar("T")
Key = tuple[Any, ...]


@dataclass(frozen=True)
class Order:
    """A sort order: columns with their direction, ending in a unique column."""

    name: str
    columns: tuple[tuple[InstrumentedAttribute[Any], bool], ...]  # (column, descending)
    by_position: bool = False  # keys are offsets: for orders no index can walk

    def types(self) -> tuple[type, ...]:
        if self.by_position:
            return (int,)
        return tuple(column.type.python_type for column, _ in self.columns)

    def order_by(self) -> list[ColumnElement[Any]]:
        return [
            column.desc() if descending else column.asc() for column, descending in self.columns
        ]

    def after(self, key: Key) -> ColumnElement[bool]:
        """Rows strictly after `key` in this order (works for mixed directions)."""
        clauses: list[ColumnElement[bool]] = []
        for index, (column, descending) in enumerate(self.columns):
            equal = [
                col == value for (col, _), value in zip(self.columns[:index], key, strict=False)
            ]
            beyond = column < key[index] if descending else column > key[index]
            clauses.append(and_(*equal, beyond))
        return or_(false(), *clauses)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of records, the number matching in all, and where the next page starts."""

    items: list[T]
    total: int | None  # None: more than COUNT_CAP match
    limit: int
    order: str
    next_key: Key | None


# Counting stops here, so that no request scans a whole table just to say how many match.
COUNT_CAP = 10_000


def count(session: Session, statement: Select[Any], column: Any = None) -> int | None:
    """How many rows `statement` gives, or None when more than COUNT_CAP."""
    rows = statement.with_only_columns(column) if column is not None else statement
    found = session.scalar(
        select(func.count()).select_from(rows.order_by(None).limit(COUNT_CAP + 1).subquery())
    )
    return None if (found or 0) > COUNT_CAP else (found or 0)


def fetch_page(
    session: Session,
    statement: Select[T],
    order: Order,
    limit: int,
    after: Key | None = None,
) -> Page[T]:
    """Run `statement` for one page: the total, the page's keys, then its records.

    Keys first, records second: the records' relationships are then loaded for exactly the
    page's rows, so the number of queries never depends on the page's length.
    """
    total = count(session, statement, order.columns[-1][0])
    keyed = statement if after is None else statement.where(order.after(after))
    columns = [column for column, _ in order.columns]
    keys = session.execute(
        keyed.with_only_columns(*columns).order_by(*order.order_by()).limit(limit + 1)
    ).all()
    next_key = tuple(keys[limit - 1]) if len(keys) > limit else None
    unique = columns[-1]
    wanted = [row[-1] for row in keys[:limit]]
    found: Iterable[T] = session.scalars(statement.where(unique.in_(wanted))) if wanted else []
    by_key = {getattr(record, unique.key): record for record in found}
    return Page([by_key[key] for key in wanted], total, limit, order.name, next_key)


def fetch_ranked(
    session: Session,
    ranked: Select[T],
    statement: Select[T],
    order: Order,
    limit: int,
    after: Key | None = None,
) -> Page[T]:
    """A page of `ranked` (already ordered) by position; `statement` counts the total."""
    total = count(session, statement)
    offset = after[0] if after else 0
    rows = list(session.scalars(ranked.offset(offset).limit(limit + 1)))
    next_key = (offset + limit,) if len(rows) > limit else None
    return Page(rows[:limit], total, limit, order.name, next_key)


def encodable(value: Any) -> Any:
    """A key value as JSON can carry it."""
    return value.isoformat() if isinstance(value, date) else value


# Keys are ids, importances, offsets: all fit a signed 32-bit integer, as the columns do.
_INT_RANGE = range(-(2**31), 2**31)


def decodable(value: Any, kind: type) -> Any:
    """A key value back from JSON; ValueError/TypeError when it is not a possible `kind`."""
    if kind is date and isinstance(value, str):
        return date.fromisoformat(value)
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if kind is int and is_int and value in _INT_RANGE:
        return value
    if kind is str and isinstance(value, str) and "\x00" not in value:
        return value
    raise TypeError(f"expected {kind.__name__}")


def decode_key(values: Sequence[Any], order: Order) -> Key:
    types = order.types()
    if len(values) != len(types):
        raise ValueError("wrong length")
    key = tuple(decodable(value, kind) for value, kind in zip(values, types, strict=True))
    if order.by_position and key[0] < 0:
        raise ValueError("a negative position")
    return key


# The changes feed and record histories: every revision, oldest first.
CHANGES = Order("change", ((Revision.id, False),))
