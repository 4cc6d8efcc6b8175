"""Many rows into one table at driver speed: one statement naming the rows' keys, their values
picked in C (operator.itemgetter) and converted by the columns' own SQLAlchemy types only where
the driver needs it (dates on SQLite); then one `executemany` on SQLite, one COPY on PostgreSQL.

SQLAlchemy's own executemany spends about 20 µs a row of the events table building parameters;
a million-event import writes ten rows per event, so that alone would be minutes. Columns left
out of the rows get their server defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any, cast

import psycopg
from sqlalchemy import Date, TableClause
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

Row = dict[str, Any]


@dataclass(frozen=True)
class Plan:
    """The INSERT for one table and one set of keys, and how to make its parameters."""

    sql: str  # an INSERT, or a COPY ... FROM STDIN
    pick: Callable[[Row], Any]
    converts: tuple[tuple[int, Callable[[Any], Any]], ...]
    single: bool  # itemgetter of one key gives the value itself, not a tuple

    def parameters(self, rows: Sequence[Row]) -> list[tuple[Any, ...]]:
        picked = [(self.pick(row),) for row in rows] if self.single else list(map(self.pick, rows))
        if not self.converts:
            return picked
        return [self._convert(values) for values in picked]

    def _convert(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        converted = list(values)
        for index, convert in self.converts:
            if converted[index] is not None:
                converted[index] = convert(converted[index])
        return tuple(converted)


class Inserts:
    """insert(table, rows) on one session's connection; the rows of one call share their keys."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect
        self._plans: dict[tuple[str, tuple[str, ...]], Plan] = {}

    def __call__(self, table: TableClause, rows: Sequence[Row]) -> None:
        if not rows:
            return
        keys = tuple(rows[0])
        plan = self._plans.get((table.fullname, keys))
        if plan is None:
            plan = self._plans[(table.fullname, keys)] = self._plan(table, keys)
        connection = self.session.connection()
        if self.dialect.name != "postgresql":
            connection.exec_driver_sql(plan.sql, plan.parameters(rows))
            return
        # COPY: the fastest way in, and in the same transaction (it fires triggers too).
        driver = cast(psycopg.Connection[Any], connection.connection.dbapi_connection)
        try:
            with driver.cursor() as cursor, cursor.copy(plan.sql) as copy:
                for values in plan.parameters(rows):
                    copy.write_row(values)
        except psycopg.Error as error:  # as SQLAlchemy would raise it: IntegrityError, ...
            raise DBAPIError.instance(plan.sql, None, error, psycopg.Error) from error

    def _plan(self, table: TableClause, keys: tuple[str, ...]) -> Plan:
        quote = self.dialect.identifier_preparer.quote
        name = quote(table.name) if table.schema is None else f"{table.schema}.{quote(table.name)}"
        columns = ", ".join(quote(key) for key in keys)
        if self.dialect.name == "postgresql":  # COPY reads JSON as text by itself
            sql = f"COPY {name} ({columns}) FROM STDIN"
        else:
            marker = "?" if self.dialect.paramstyle == "qmark" else "%s"
            values = ", ".join(marker for _key in keys)
            sql = f"INSERT INTO {name} ({columns}) VALUES ({values})"
        converts = []
        for index, key in enumerate(keys):
            kind = table.c[key].type.dialect_impl(self.dialect)
            convert = kind.bind_processor(self.dialect)
            if convert is not None and isinstance(kind, Date):
                # A file repeats its dates (an event's window is copied into each of its
                # links): each is formatted once.
                convert = lru_cache(maxsize=65536)(convert)
            if convert is not None:
                converts.append((index, convert))
        return Plan(sql, itemgetter(*keys), tuple(converts), len(keys) == 1)
