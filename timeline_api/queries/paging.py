"""Keyset paging: the next page starts after the last row seen, whatever the table's size."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    false,
    func,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from timeline_api.models import Revision

T = TypeVar("T")
Key = tuple[Any, ...]


@dataclass(frozen=True)
class Order:
    """A sort order: columns with their direction, ending in a unique column."""

    name: str
    # (column, descending); a table's column where no model maps it (queries.linked)
    columns: tuple[tuple[InstrumentedAttribute[Any] | Column[Any], bool], ...]
    by_position: bool = False  # keys are offsets: for orders no index can walk

    def types(self) -> tuple[type, ...]:
        if self.by_position:
            return (int,)
        return tuple(column.type.python_type for column, _ in self.columns)

    def order_by(self, columns: Sequence[Any] | None = None) -> list[ColumnElement[Any]]:
        """ORDER BY terms, on this order's columns or on `columns` standing for them."""
        chosen = columns if columns is not None else [column for column, _ in self.columns]
        return [
            column.desc() if descending else column.asc()
            for column, (_, descending) in zip(chosen, self.columns, strict=True)
        ]

    def after_bound(self) -> ColumnElement[bool]:
        """`after` with bind parameters `after_0`, `after_1`, ... for the key's values."""
        return self.after(
            tuple(
                bindparam(f"after_{n}", type_=column.type)
                for n, (column, _) in enumerate(self.columns)
            )
        )

    def after(self, key: Key) -> ColumnElement[bool]:
        """Rows strictly after `key` in this order (works for mixed directions)."""
        directions = {descending for _, descending in self.columns}
        if len(directions) == 1:  # a row value: one index seek on both databases
            columns = tuple_(*(column for column, _ in self.columns))
            return columns < tuple_(*key) if directions == {True} else columns > tuple_(*key)
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
    total_is_exact: bool = True  # False: `total` is an estimate


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
    keys = keys_statement((statement,), order, after is not None)
    wanted, next_key = page_keys(session, keys, limit, after)
    unique = order.columns[-1][0]
    found: Iterable[T] = session.scalars(statement.where(unique.in_(wanted))) if wanted else []
    by_key = {getattr(record, unique.key): record for record in found}
    return Page([by_key[key] for key in wanted], total, limit, order.name, next_key)


def keys_statement(parts: tuple[Select[Any], ...], order: Order, keyed: bool) -> Select[Any]:
    """The keys of one page of the union of `parts`: a row per record, its key last.

    Each part is walked in `order` and cut after a page, so that with one index per part no
    database sorts more than a page of rows per part; several parts are then merged. Binds
    `page_size`, and with `keyed` the key to start after (`after_0`, `after_1`, ...).
    """
    columns = [column for column, _ in order.columns]
    size = bindparam("page_size", type_=Integer())

    def walk(part: Select[Any]) -> Select[Any]:
        walked = part.where(order.after_bound()) if keyed else part
        return walked.with_only_columns(*columns).order_by(*order.order_by()).limit(size)

    if len(parts) == 1:
        return walk(parts[0])
    merged = union_all(*(select(walk(part).subquery()) for part in parts)).subquery()
    standing = [merged.c[column.key] for column in columns]
    return select(*standing).order_by(*order.order_by(standing)).limit(size)


# Statements of the event lists come in few shapes: built once each.
cached_keys_statement = lru_cache(maxsize=1024)(keys_statement)


def page_keys(
    session: Session,
    statement: Select[Any],
    limit: int,
    after: Key | None = None,
    bound: dict[str, Any] | None = None,
) -> tuple[list[Any], Key | None]:
    """Run a `keys_statement`: the page's keys, and the key the next page follows."""
    params = {**(bound or {}), "page_size": limit + 1}
    params.update({f"after_{n}": value for n, value in enumerate(after or ())})
    keys = session.execute(statement, params).all()
    next_key = tuple(keys[limit - 1]) if len(keys) > limit else None
    return [row[-1] for row in keys[:limit]], next_key


def ranked_keys(
    session: Session, ranked: Select[Any], limit: int, after: Key | None = None
) -> tuple[list[Any], Key | None]:
    """A page of `ranked` (already ordered) by position: its first column, and the next key."""
    offset = after[0] if after else 0
    rows = list(session.scalars(ranked.offset(offset).limit(limit + 1)))
    next_key = (offset + limit,) if len(rows) > limit else None
    return rows[:limit], next_key


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
