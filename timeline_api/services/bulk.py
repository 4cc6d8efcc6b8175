"""Writing checked items in batches: insert what is new, update what changed, leave alone what
a digest says is the same, and keep a revision of every change.

Every write of a record goes through here: an import of a million, and the write endpoints'
one. Nothing commits: the caller owns the transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CursorResult, TableClause, Text, bindparam, column, delete, select, table
from sqlalchemy import update as update_statement
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from timeline_api.datafile import SCHEMAS, Item, key_field
from timeline_api.datafile.fastload import dump
from timeline_api.models.common import UTCDateTime
from timeline_api.queries import stored
from timeline_api.services import link_windows, rows, search_labels
from timeline_api.services.executemany import Inserts
from timeline_api.services.staging import Staging

_CHUNK = 900  # keys per IN list: below SQLite's oldest limit of 999 bound variables
_REMEMBERED = 200_000  # database ids kept per list before the cache starts again


@dataclass
class Summary:
    """What a load did, per list: created, updated, unchanged."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(+self.created or +self.updated)

    def as_dict(self) -> dict[str, dict[str, int]]:
        """Counts per list, leaving out lists with none."""
        return {name: dict(+getattr(self, name)) for name in ("created", "updated", "unchanged")}


@dataclass(frozen=True)
class Dumped:
    """An item in file form, as JSON text (what revisions keep) and the digest of that text."""

    item: Item
    text: str
    digest: str

    @classmethod
    def of(cls, name: str, loaded: Item) -> Dumped:
        """A loaded item (what the schema's `load` gives), dumped by its schema."""
        item = dump(SCHEMAS[name], loaded)
        return cls(item, *text_and_digest(item))


def text_and_digest(item: Item) -> tuple[str, str]:
    """The item as compact JSON, and its BLAKE2b digest. The schema dumps members in a fixed
    order, so equal records give equal text."""
    text = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
    return text, hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Stored:
    """What a batch needs to know of a record already stored."""

    id: Any
    digest: str | None


class Ids:
    """Database ids by public id, asked of the database on first use and remembered."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._known: dict[str, dict[str, int]] = {name: {} for name in SCHEMAS}
        self._labels: dict[tuple[str, str], tuple[str, ...]] = {}
        # What this write made or renamed itself: kept whole (the database may not have it
        # yet when the write is staged, services.staging).
        self._written: dict[str, dict[str, int]] = {name: {} for name in SCHEMAS}
        self._written_labels: dict[tuple[str, str], tuple[str, ...]] = {}

    def __call__(self, name: str, key: str) -> int:
        known = self._known[name]
        found = known.get(key) or self._written[name].get(key)
        if found is None:
            if len(known) > _REMEMBERED:
                known.clear()
            model, key_column = stored.MODELS[name], stored.key_column(name)
            found = self._session.scalar(select(model.id).where(key_column == key))
            if found is None:
                raise LookupError(f"no {name} record has the id {key!r}")
            known[key] = found
        return found

    def learn(self, name: str, pairs: Iterable[tuple[str, int]]) -> None:
        self._written[name].update(pairs)

    def name(self, name: str, key: str, labels: tuple[str, ...]) -> None:
        """The names a record written by this write labels its events with."""
        self._written_labels[name, key] = labels

    def labels(self, name: str, key: str) -> tuple[str, ...]:
        found = self._written_labels.get((name, key)) or self._labels.get((name, key))
        if found is None:
            if len(self._labels) > _REMEMBERED:
                self._labels.clear()
            found = search_labels.names(self._session.connection(), name, key)
            self._labels[name, key] = found
        return found

    def forget_labels(self) -> None:
        """Names changed: ask the database again."""
        self._labels.clear()


def _chunks(keys: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(keys), _CHUNK):
        yield keys[start : start + _CHUNK]


# Revisions as this module writes them: `before` and `after` arrive as JSON text already.
_REVISIONS = table(
    "revisions",
    *(column(name) for name in ("record_type", "record_id", "action", "author", "import_id")),
    column("created_at", UTCDateTime()),
    column("before", Text),
    column("after", Text),
)


class Writer:
    """Upserts checked items, list by list, inside the session's transaction."""

    def __init__(
        self,
        session: Session,
        author: str,
        import_id: int | None = None,
        staging: Staging | None = None,
    ) -> None:
        self.session = session
        self.author = author
        self.import_id = import_id
        self.staging = staging  # where the rows go until its swap, instead of the tables
        self.summary = Summary()
        self.ids = Ids(session)
        self.insert = Inserts(session)
        self.now = datetime.now(UTC)
        self._links: list[tuple[int, str, str]] = []  # (from event id, to event key, kind)
        self._revisions: list[dict[str, Any]] = []

    def put(
        self,
        name: str,
        items: Sequence[Dumped],
        action: str | None = None,
        versions: dict[str, int] | None = None,
    ) -> None:
        """Create or update each item by its id.

        `action` names the revisions (default: create or update) and is recorded even when
        nothing changed; `versions`, when given, are the versions an editor read, and an
        update of any other version is refused (StaleDataError).
        """
        keys = [d.item[key_field(name)] for d in items]
        found = self._stored(name, keys)
        new = [n for n, key in enumerate(keys) if key not in found]
        changed = [
            n
            for n, key in enumerate(keys)
            if key in found and not self._same(name, found[key], items[n])
        ]
        self.summary.created[name] += len(new)
        self.summary.updated[name] += len(changed)
        self.summary.unchanged[name] += len(items) - len(new) - len(changed)
        before = self._before(name, [found[keys[n]].id for n in changed])
        if name in search_labels.REFERRING:
            for n in (*new, *changed):
                self.ids.name(name, keys[n], search_labels.item_names(name, items[n].item))
        ids = {key: record.id for key, record in found.items()}
        ids.update(self._insert(name, [items[n] for n in new]))
        self._update(name, [items[n] for n in changed], found, versions)
        written = [(ids[keys[n]], items[n].item) for n in (*new, *changed)]
        self._children(name, written, replacing=[ids[keys[n]] for n in changed])
        if name in search_labels.REFERRING and changed:
            changed_ids = [found[keys[n]].id for n in changed]
            self._relabel(name, [items[n].item for n in changed], before, changed_ids)
        for n in new:
            self._revise(name, keys[n], action or "create", None, items[n].text)
        for n, previous in zip(changed, before, strict=True):
            self._revise(name, keys[n], action or "update", previous, items[n].text)
        if action is not None:  # a restore is recorded even when nothing changed
            for n in set(range(len(items))) - set(new) - set(changed):
                self._revise(name, keys[n], action, items[n].text, items[n].text)
        self._write_revisions()

    def _stored(self, name: str, keys: list[str]) -> dict[str, Stored]:
        model, key_column = stored.MODELS[name], stored.key_column(name)
        own_id = key_column if name == "countries" else model.id
        found = {}
        for chunk in _chunks(keys):
            statement = select(key_column, own_id, model.digest).where(key_column.in_(chunk))
            for key, id, digest in self.session.connection().execute(statement):
                found[key] = Stored(id, digest)
        return found

    def _same(self, name: str, record: Stored, dumped: Dumped) -> bool:
        if record.digest is not None:
            return record.digest == dumped.digest
        # Written before digests were kept: compare with the record itself (rare: one query).
        [item] = stored.items(self.session, name, [record.id])
        return Dumped.of(name, item).digest == dumped.digest

    def _before(self, name: str, ids: list[Any]) -> list[str]:
        found = []
        for chunk in _chunks(ids):
            found += [
                Dumped.of(name, item).text for item in stored.items(self.session, name, chunk)
            ]
        return found

    def _insert(self, name: str, items: list[Dumped]) -> dict[str, Any]:
        """Insert new records; their database ids by public id."""
        if not items:
            return {}
        mapping = rows.MAPPINGS[name]
        values = [{**mapping.row(d.item, self.ids), "digest": d.digest} for d in items]
        keys = [d.item[key_field(name)] for d in items]
        if self.staging is not None:
            return self._stage_new(name, mapping.table, keys, values)
        self.insert(mapping.table, values)
        if name == "countries":
            return {key: key for key in keys}
        # One query for the new ids: RETURNING would make SQLite go row by row to keep order.
        created = self._ids_of(name, keys)
        if name != "events":  # events are too many to remember; lookups are used again
            self.ids.learn(name, created.items())
        return created

    def _stage_new(
        self, name: str, target: TableClause, keys: list[str], values: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """New rows to the staging area, with ids given there (services.staging)."""
        assert self.staging is not None
        if name == "countries":
            self.staging.add(target, values)
            return {key: key for key in keys}
        ids = self.staging.ids(target, len(values))
        self.staging.add(target, [{"id": id, **row} for id, row in zip(ids, values, strict=True)])
        created = dict(zip(keys, ids, strict=True))
        if name != "events":
            self.ids.learn(name, created.items())
        return created

    def _ids_of(self, name: str, keys: list[str]) -> dict[str, int]:
        model, key_column = stored.MODELS[name], stored.key_column(name)
        found: dict[str, int] = {}
        for chunk in _chunks(keys):
            statement = select(key_column, model.id).where(key_column.in_(chunk))
            found.update({row[0]: row[1] for row in self.session.connection().execute(statement)})
        if self.staging is not None and len(found) < len(keys):
            missing = [key for key in keys if key not in found]
            found.update(self.staging.staged_ids(rows.MAPPINGS[name].table, missing))
        return found

    def _update(
        self,
        name: str,
        items: list[Dumped],
        found: dict[str, Stored],
        versions: dict[str, int] | None,
    ) -> None:
        if not items:
            return
        mapping = rows.MAPPINGS[name]
        columns = mapping.table.c
        key = key_field(name)
        values = []
        for d in items:
            row = {**mapping.row(d.item, self.ids), "digest": d.digest}
            row["_id"] = found[d.item[key]].id
            if versions is not None:
                row["_version"] = versions[d.item[key]]
            if self.staging is not None:
                row["_seen"] = found[d.item[key]].digest
            values.append(row)
        own_id = columns.code if name == "countries" else columns.id
        if self.staging is not None:
            self.staging.update(mapping.table, values, own_id.name)
            return
        statement = update_statement(mapping.table).where(own_id == bindparam("_id"))
        if "version" in columns:
            statement = statement.values(version=columns.version + 1)
            if versions is not None:  # an editor's write: only over the version they read
                statement = statement.where(columns.version == bindparam("_version"))
        if "updated_at" in columns:
            statement = statement.values(updated_at=self.now)
        result: CursorResult[Any] = self.session.execute(statement, values)  # type: ignore[assignment]
        if versions is not None and result.rowcount != len(values):
            raise StaleDataError(f"{name}: the record changed while this change was written")

    def _children(self, name: str, records: list[tuple[Any, Item]], replacing: list[Any]) -> None:
        """Write the rows that hang off each record, replacing those of changed records."""
        for children in rows.MAPPINGS[name].children:
            self._replace(children, replacing)
            values = [row for id, item in records for row in children.rows(item, id, self.ids)]
            self._add(children.table, values)
        if name == "events":
            if self.staging is not None:  # the links are rewritten at the swap: then
                self.staging.rewindowed.extend(replacing)
            else:
                for chunk in _chunks(replacing):
                    link_windows.refresh(self.session.connection(), chunk)
            self._links += [(id, to, kind) for id, item in records for to, kind in rows.links(item)]
            if len(self._links) >= 10 * _CHUNK:
                self.link(final=False)

    def _add(self, target: TableClause, values: list[dict[str, Any]]) -> None:
        if self.staging is not None:
            self.staging.add(target, values)
        else:
            self.insert(target, values)

    def _replace(self, children: rows.Children, parents: list[Any]) -> None:
        """The rows of `children` that these parents had go (their new ones follow)."""
        if self.staging is not None:
            self.staging.replace(children.table, children.parent, parents)
            return
        parent = children.table.c[children.parent]
        for chunk in _chunks(parents):
            self.session.execute(delete(children.table).where(parent.in_(chunk)))

    def _relabel(self, name: str, items: list[Item], before: list[str], ids: list[Any]) -> None:
        """Index again the events of the records whose names changed (services.search_labels)."""
        renamed = [
            id
            for item, text, id in zip(items, before, ids, strict=True)
            if search_labels.item_names(name, item)
            != search_labels.item_names(name, json.loads(text))
        ]
        if renamed and self.staging is not None:
            self.staging.renamed.append((name, renamed))  # indexed again at the swap
        elif renamed:
            self.ids.forget_labels()
            connection = self.session.connection()
            events = search_labels.events_naming(connection, name, renamed)
            search_labels.reindex(connection, events)

    def link(self, final: bool = True) -> None:
        """Write the links whose target exists by now; with `final`, all of them."""
        targets = self._ids_of("events", sorted({to for _id, to, _kind in self._links}))
        ready = [(id, to, kind) for id, to, kind in self._links if to in targets]
        self._links = [(id, to, kind) for id, to, kind in self._links if to not in targets]
        if final and self._links:
            raise LookupError(f"no event with id {self._links[0][1]!r} is stored")
        values = [
            {"from_event_id": id, "to_event_id": targets[to], "kind": kind}
            for id, to, kind in ready
        ]
        self._add(rows.LINKS.table, values)

    def _revise(
        self, name: str, key: str, action: str, before: str | None, after: str | None
    ) -> None:
        self._revisions.append(
            {
                "record_type": name,
                "record_id": key,
                "action": action,
                "author": self.author,
                "import_id": self.import_id,
                "created_at": self.now,
                "before": before,
                "after": after,
            }
        )

    def _write_revisions(self) -> None:
        self._add(_REVISIONS, self._revisions)  # JSON as text: SQLite keeps it so, COPY reads it
        self._revisions = []
