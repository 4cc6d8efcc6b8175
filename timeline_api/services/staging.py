"""SQLite: an import's writes kept in temporary tables, then moved in by one short swap.

SQLite lets one connection write at a time. Written straight into the tables, an import of a
million events would hold that lock for minutes, and every write of the API would wait for it
(and be told 503). So on SQLite the import writes into temporary tables instead: they belong to
the import's own connection and take no lock on the database. Meanwhile the API reads and
writes as usual. At the end, one transaction takes the write lock and moves the staged rows in
with `INSERT ... SELECT` and `UPDATE ... FROM`, which SQLite runs without returning to Python.

What may have changed between the two steps is checked under the lock, before anything moves:
- a record the import updates must still have the digest the import read; if the API changed
  it meanwhile, the import is refused and writes nothing (never a lost update);
- a record the import creates must not have been created meanwhile by the API;
- new records get their ids while staged, counted on from the largest id then stored; if the
  API has created records since, the staged ids (and the staged references to them) move up by
  as many, so nothing collides.

A kill during staging leaves nothing behind (temporary tables die with their connection); a
kill during the swap is rolled back as any transaction is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, TableClause, column, table, text
from sqlalchemy.orm import Session

from timeline_api.db import Base
from timeline_api.services import link_windows, search_labels
from timeline_api.services.executemany import Inserts, Row

_CHUNK = 900  # keys per IN list: below SQLite's oldest limit of 999 bound variables
TEMP_CACHE_KIB = 32 * 1024  # the staged tables' own page cache, counted in an import's memory


class ChangedMeanwhile(Exception):
    """Records the import read were changed by someone else before it could write them."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass
class _Staged:
    """One table's staged rows: new ones, updates, and the parents whose rows are replaced."""

    table: TableClause
    keys: tuple[str, ...] = ()  # columns of the new rows
    update_keys: tuple[str, ...] = ()  # columns of the updates (with _id, _seen)
    new: bool = False
    updates: bool = False
    replaced_by: str | None = None  # the parent column, when rows of some parents are replaced
    base: int | None = None  # the largest id stored when ids were first given out
    next_id: int = 0
    own_id: str = "id"

    @property
    def key(self) -> str | None:
        """The column holding the public id, if the table has one."""
        if self.table.name == "countries":
            return "code"
        return "slug" if "slug" in self.table.c else None


class Staging:
    """The staged writes of one import, on the import's own connection."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.insert = Inserts(session)
        self._tables: dict[str, _Staged] = {}  # in the order first written: parents first
        self.renamed: list[tuple[str, list[int]]] = []  # (list, ids): index their events again
        self.rewindowed: list[int] = []  # stored events whose links copy their dates again

    # -- staging -------------------------------------------------------------------------

    def begin(self) -> None:
        """Start staging: one read transaction for all of it, so that every record the import
        reads has an id no larger than those it reads as the largest (see `ids`)."""
        # Temporary tables on disk with a page cache of their own, so that a million staged
        # rows neither live in memory nor crawl through SQLite's 2 MB default.
        self._execute("PRAGMA temp_store = FILE")
        self._execute(f"PRAGMA temp.cache_size = -{TEMP_CACHE_KIB}")
        self._execute("BEGIN")
        self._scalar("SELECT count(*) FROM main.sqlite_master")  # the snapshot starts here

    def ids(self, target: TableClause, count: int) -> range:
        """`count` fresh ids for new rows of `target`, following the largest one stored in
        the staging's snapshot: larger than any id the import read, so that at the swap the
        staged ones (and only they) can be moved up past what others created meanwhile."""
        staged = self._staged(target)
        if staged.base is None:
            found = self._scalar(f"SELECT coalesce(max(id), 0) FROM main.{_q(target.name)}")
            staged.base = staged.next_id = int(found)
        first = staged.next_id + 1
        staged.next_id += count
        return range(first, first + count)

    def add(self, target: TableClause, rows: Sequence[Row]) -> None:
        """Stage new rows of `target` (their keys as the first row's)."""
        if not rows:
            return
        staged = self._staged(target)
        keys = tuple(rows[0])
        if not staged.new:
            self._create(f"stage_{target.name}", target.name)
            if "slug" in keys:  # looked up by public id (links to staged events)
                self._execute(
                    f"CREATE INDEX temp.stage_{target.name}_slug ON stage_{target.name} (slug)"
                )
            staged.new, staged.keys = True, keys
        elif keys != staged.keys:
            raise ValueError(f"staged rows of {target.name} differ in their columns")
        self.insert(self._clause(f"stage_{target.name}", target), rows)

    def update(self, target: TableClause, rows: Sequence[Row], own_id: str) -> None:
        """Stage updates: each row holds the new values, `_id` and `_seen` (the digest read)."""
        if not rows:
            return
        staged = self._staged(target)
        keys = tuple(rows[0])
        if not staged.updates:
            self._create(f"update_{target.name}", target.name, extra="NULL AS _id, NULL AS _seen")
            staged.updates, staged.update_keys, staged.own_id = True, keys, own_id
        elif keys != staged.update_keys:
            raise ValueError(f"staged updates of {target.name} differ in their columns")
        columns = [*(column(c.name, c.type) for c in target.c), column("_id"), column("_seen")]
        self.insert(table(f"update_{target.name}", *columns, schema="temp"), rows)

    def replace(self, target: TableClause, parent: str, ids: Sequence[Any]) -> None:
        """The rows of `target` belonging to these parents are to go (new ones are staged)."""
        if not ids:
            return
        staged = self._staged(target)
        if staged.replaced_by is None:
            self._execute(f"CREATE TEMP TABLE replaced_{target.name} (parent)")
            staged.replaced_by = parent
        self.insert(
            table(f"replaced_{target.name}", column("parent"), schema="temp"),
            [{"parent": id} for id in ids],
        )

    def staged_ids(self, target: TableClause, keys: Sequence[str]) -> dict[str, int]:
        """Ids given to staged new records of `target`, by public id."""
        staged = self._tables.get(target.name)
        if staged is None or not staged.new or "slug" not in staged.keys:
            return {}
        found: dict[str, int] = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = list(keys[start : start + _CHUNK])
            marks = ", ".join("?" for _ in chunk)
            rows = self._connection().exec_driver_sql(
                f"SELECT slug, id FROM temp.stage_{target.name} WHERE slug IN ({marks})",
                tuple(chunk),
            )
            found.update({slug: id for slug, id in rows})
        return found

    # -- the swap ------------------------------------------------------------------------

    def swap(self, import_id: int | None, now: datetime) -> None:
        """Move everything staged into the tables. The caller holds the write lock (it has
        written first) and commits."""
        self._refuse_changed()
        self._make_room()
        if import_id is not None and "revisions" in self._tables:
            self._execute("UPDATE temp.stage_revisions SET import_id = :id", {"id": import_id})
        for staged in self._tables.values():
            self._move(staged, now)
        connection = self._connection()
        for start in range(0, len(self.rewindowed), _CHUNK):
            link_windows.refresh(connection, self.rewindowed[start : start + _CHUNK])
        for name, ids in self.renamed:
            search_labels.reindex(connection, search_labels.events_naming(connection, name, ids))

    def _refuse_changed(self) -> None:
        reasons = []
        for name, staged in self._tables.items():
            key = staged.key
            if staged.updates and key is not None:
                changed = self._column(
                    f"SELECT t.{key} FROM main.{_q(name)} AS t "
                    f"JOIN temp.update_{name} AS u ON t.{staged.own_id} = u._id "
                    "WHERE t.digest IS NOT u._seen LIMIT 5"
                )
                if changed:
                    reasons.append(f"{name} {', '.join(changed)} changed since the import read")
            if staged.new and key is not None:
                taken = self._column(
                    f"SELECT s.{key} FROM temp.stage_{name} AS s "
                    f"JOIN main.{_q(name)} AS t ON t.{key} = s.{key} LIMIT 5"
                )
                if taken:
                    reasons.append(f"{name} {', '.join(taken)} were created meanwhile")
        if reasons:
            raise ChangedMeanwhile(reasons)

    def _make_room(self) -> None:
        """New ids start after the largest stored now: move staged ids (and references to
        them) up by as many records as others created since staging began."""
        for name, staged in self._tables.items():
            if staged.base is None:
                continue
            now = int(self._scalar(f"SELECT coalesce(max(id), 0) FROM main.{_q(name)}"))
            shift = now - staged.base
            if shift <= 0:
                continue
            self._execute(f"UPDATE temp.stage_{name} SET id = id + {shift}")
            for referring, columns in self._references(name):
                for temp_table in referring:
                    for name_of_column in columns:
                        self._execute(
                            f"UPDATE temp.{temp_table} SET {name_of_column} = "
                            f"{name_of_column} + {shift} WHERE {name_of_column} > {staged.base}"
                        )

    def _references(self, name: str) -> Iterable[tuple[list[str], list[str]]]:
        """Per staged table, its temporary tables and their columns naming ids of `name`."""
        for other, staged in self._tables.items():
            model = Base.metadata.tables.get(other)
            if model is None:
                continue
            columns = [
                key.parent.name
                for key in model.foreign_keys
                if key.column.table.name == name and key.column.name == "id"
            ]
            temp_tables = [f"stage_{other}"] * staged.new + [f"update_{other}"] * staged.updates
            if columns and temp_tables:
                yield temp_tables, columns

    def _move(self, staged: _Staged, now: datetime) -> None:
        name = _q(staged.table.name)
        if staged.replaced_by is not None:
            self._execute(
                f"DELETE FROM main.{name} WHERE {staged.replaced_by} IN "
                f"(SELECT parent FROM temp.replaced_{staged.table.name})"
            )
        if staged.new:
            columns = ", ".join(_q(key) for key in staged.keys)
            self._execute(
                f"INSERT INTO main.{name} ({columns}) "
                f"SELECT {columns} FROM temp.stage_{staged.table.name} ORDER BY rowid"
            )
        if staged.updates:
            self._execute(*self._update_statement(staged, now))

    def _update_statement(self, staged: _Staged, now: datetime) -> tuple[str, dict[str, Any]]:
        keys = [key for key in staged.update_keys if key not in ("_id", "_seen", "_version")]
        sets = [f"{_q(key)} = u.{_q(key)}" for key in keys]
        stored = staged.table.c
        if "version" in stored:
            sets.append("version = t.version + 1")
        parameters: dict[str, Any] = {}
        if "updated_at" in stored:
            sets.append("updated_at = :now")
            processor = stored["updated_at"].type.bind_processor(self._connection().dialect)
            parameters["now"] = processor(now) if processor is not None else now
        sql = (
            f"UPDATE main.{_q(staged.table.name)} AS t SET {', '.join(sets)} "
            f"FROM temp.update_{staged.table.name} AS u WHERE t.{staged.own_id} = u._id"
        )
        return sql, parameters

    # -- clean-up ------------------------------------------------------------------------

    def drop(self) -> None:
        """Close the connection, and with it the temporary tables: they would stay with it in
        the pool, and dropping a million staged rows takes a second where closing the file
        that holds them takes none. The pool makes a new connection when one is next needed."""
        self.session.connection().invalidate()

    # -- helpers -------------------------------------------------------------------------

    def _staged(self, target: TableClause) -> _Staged:
        staged = self._tables.get(target.name)
        if staged is None:
            staged = self._tables[target.name] = _Staged(target)
        return staged

    def _create(self, temp_name: str, name: str, extra: str = "") -> None:
        more = f", {extra}" if extra else ""
        self._execute(
            f"CREATE TEMP TABLE {temp_name} AS SELECT *{more} FROM main.{_q(name)} WHERE 0"
        )

    @staticmethod
    def _clause(temp_name: str, target: TableClause) -> TableClause:
        return table(temp_name, *(column(c.name, c.type) for c in target.c), schema="temp")

    def _connection(self) -> Connection:
        return self.session.connection()

    def _execute(self, sql: str, parameters: dict[str, Any] | None = None) -> None:
        self._connection().execute(text(sql), parameters or {})

    def _scalar(self, sql: str) -> Any:
        return self._connection().execute(text(sql)).scalar()

    def _column(self, sql: str) -> list[Any]:
        return list(self._connection().execute(text(sql)).scalars())


def _q(name: str) -> str:
    return f'"{name}"'
