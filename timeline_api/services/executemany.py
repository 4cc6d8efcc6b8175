"""Many rows into one table at driver speed: the INSERT compiled once, the values converted by
the columns' own SQLAlchemy types, then one `executemany`.

SQLAlchemy's executemany spends about 20 µs a row of the events table building parameters;
a million-event import writes ten rows per event, so that alone would be minutes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Insert, TableClause, insert
from sqlalchemy.orm import Session

Row = dict[str, Any]
_ABSENT = object()
_NAMED = re.compile(r"%\((\w+)\)s")
Convert = Callable[[Any], Any]


class Inserts:
    """insert(table, rows) for one session's connection; rows of a call share their keys."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect
        self._plans: dict[tuple[str, tuple[str, ...]], tuple[str, list[Value]]] = {}

    def __call__(
        self, table: TableClause, rows: Sequence[Row], statement: Insert | None = None
    ) -> None:
        """Insert `rows`; `statement` overrides the plain INSERT (its binds named as the keys)."""
        if not rows:
            return
        keys = tuple(rows[0])
        plan = self._plans.get((table.name, keys))
        if plan is None:
            plan = self._plans[(table.name, keys)] = self._plan(table, keys, statement)
        sql, values = plan
        converted = [tuple(value.of(row) for value in values) for row in rows]
        self.session.connection().exec_driver_sql(sql, converted)

    def _plan(
        self, table: TableClause, keys: tuple[str, ...], statement: Insert | None
    ) -> tuple[str, list[Value]]:
        compiled = (statement if statement is not None else insert(table)).compile(
            dialect=self.dialect, column_keys=list(keys), for_executemany=True
        )
        sql = compiled.string
        if compiled.positional:
            names = list(compiled.positiontup or ())
        else:  # pyformat: tuples need %s, in the order the names appear
            names = _NAMED.findall(sql)
            sql = _NAMED.sub("%s", sql)
        return sql, [self._value_of(table, name, keys) for name in names]

    def _value_of(self, table: TableClause, name: str, keys: tuple[str, ...]) -> Value:
        """How to get the value of bind `name` from a row: its key, or the column's default."""
        column = table.c.get(name)
        kind = column.type.dialect_impl(self.dialect) if column is not None else None
        convert = kind.bind_processor(self.dialect) if kind is not None else None
        if name in keys:
            return Value(name, convert)
        default = getattr(column, "default", None)
        if default is None or not default.is_scalar:
            raise KeyError(f"{table.name}.{name} needs a value")
        return Value(name, convert, default.arg)


@dataclass(frozen=True)
class Value:
    """One bound value: a row's `key` (or a constant default), converted for the driver."""

    key: str
    convert: Convert | None
    default: Any = _ABSENT

    def of(self, row: Row) -> Any:
        value = self.default if self.default is not _ABSENT else row[self.key]
        return value if self.convert is None or value is None else self.convert(value)
